// The whole official post-model pipeline in one call (method.md §3.4–§3.8, §3.9), for callers that
// hold the model outputs and the prototypes together (gpu-node with inline prototypes, the CLI).
// Full-resolution masks are rendered only for the candidates that reach the soft merge.
import type { BoxXyxy, Detection } from '../types.ts';
import { createClassMatcher } from './classify.ts';
import { createFullResRenderer } from './fullres-mask.ts';
import type { LowResMask } from './low-res-mask.ts';
import { resolvePipelineOptions } from './options.ts';
import type { PipelineOptionsInput } from './options.ts';
import { rankAndMerge } from './rank-merge.ts';
import type { LabelledCandidate, MatchTrace } from './rank-merge.ts';
import { checkedPlanes, maskEmbedder } from './proposal-input.ts';
import type { ProposalInput } from './proposal-input.ts';

export interface OfficialInput extends ProposalInput {
  /**
   * One prototype of dimension D per class, unnormalised (mean of instance means, as the bank
   * stores it) or already L2-normalised; they are normalised inside.
   */
  prototypes: readonly ArrayLike<number>[];
}

/** Per-proposal values of the labelling step. */
export interface ProposalTrace {
  area256: number;
  box256: BoxXyxy;
  /** Null for an empty 256-grid mask (officially a NaN row; deviation 2: dropped). */
  embedding: Float32Array | null;
  /** Raw cosines with every class (null when the mask is empty). */
  cosines: Float64Array | null;
  label: number | null;
  score: number | null;
}

export interface OfficialTrace extends MatchTrace {
  proposals: ProposalTrace[];
}

/** The official detections of one image; Detection.index is the proposal index. */
export function segmentOfficial(input: OfficialInput, options?: PipelineOptionsInput): Detection[] {
  return run(input, options, false).detections;
}

/** segmentOfficial with every intermediate value (for tests, debugging and explanations). */
export function traceOfficial(input: OfficialInput, options?: PipelineOptionsInput): OfficialTrace {
  return run(input, options, true);
}

function run(input: OfficialInput, optionsInput: PipelineOptionsInput | undefined, withCosines: boolean): OfficialTrace {
  const options = resolvePipelineOptions(optionsInput);
  const planes = checkedPlanes(input);
  const n = planes.count;
  const embed = maskEmbedder(input, n);
  const matcher = createClassMatcher(input.prototypes, input.features.dim, options.classes, options.zeroScoreLabel);
  const renderer = createFullResRenderer(input.height, input.width);

  const proposals: ProposalTrace[] = [];
  const candidates: LabelledCandidate[] = [];
  const masks: LowResMask[] = [];
  for (let i = 0; i < n; i++) {
    const mask = planes.scan(i);
    const embedding = embed(mask);
    const matched = embedding === null ? null : matcher.match(embedding);
    if (withCosines) {
      proposals.push({
        area256: mask.area,
        box256: mask.box,
        embedding,
        cosines: embedding === null ? null : matcher.cosines(embedding),
        label: matched?.label ?? null,
        score: matched?.score ?? null,
      });
    }
    if (embedding === null || matched === null) continue;
    candidates.push({ index: i, iou: input.iou[i], box256: mask.box, label: matched.label, score: matched.score, embedding, axis: matcher.axis(matched) });
    masks.push(mask);
  }
  const trace = rankAndMerge(candidates, (k) => planes.render(renderer, masks[k]), options);
  return { ...trace, proposals };
}
