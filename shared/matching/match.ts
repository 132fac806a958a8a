// The bank-dependent half (DESIGN.md "The split"): a cached candidate set matched against class
// prototypes, then class-aware NMS, soft merge and top-K — the same steps as segmentOfficial.
import { measuredRuns, RunArena } from '../coco-mask/index.ts';
import type { CandidateSet, Detection, Rle } from '../types.ts';
import { createClassMatcher } from './classify.ts';
import { ShapeMismatchError } from './errors.ts';
import type { FullResMask } from './fullres-mask.ts';
import { resolvePipelineOptions } from './options.ts';
import type { PipelineOptionsInput } from './options.ts';
import { rankAndMerge } from './rank-merge.ts';
import type { LabelledCandidate, MatchTrace } from './rank-merge.ts';

/**
 * Changes scores in place after labelling and before NMS. The official pipeline has no such step;
 * refseg uses it for negative references (shared/bank/match-bank.ts), which damp scores but never
 * change a label.
 */
export type Rescore = (labelled: LabelledCandidate[]) => void;

/** The chunks that hold the run ends of a call's received masks, reused by the next call. */
const arena = new RunArena();

/** Detections of a candidate set; Detection.index is the candidate's index in the set. */
export function matchCandidates(
  set: CandidateSet,
  prototypes: readonly ArrayLike<number>[],
  options?: PipelineOptionsInput,
  rescore?: Rescore,
): Detection[] {
  return traceMatch(set, prototypes, options, rescore).detections;
}

/** matchCandidates with the NMS, filter and merge intermediates (indices into the set). */
export function traceMatch(
  set: CandidateSet,
  prototypes: readonly ArrayLike<number>[],
  optionsInput?: PipelineOptionsInput,
  rescore?: Rescore,
): MatchTrace {
  const options = resolvePipelineOptions(optionsInput);
  const matcher = createClassMatcher(prototypes, set.dim, options.classes, options.zeroScoreLabel);
  const matches = matcher.matchAll(set.candidates.map((c) => c.embedding));
  const labelled: LabelledCandidate[] = set.candidates.map((c, k) => {
    const { label, score } = matches[k];
    return { index: k, iou: c.iou, box256: c.box256, label, score, embedding: c.embedding, axis: matcher.axis(matches[k]) };
  });
  rescore?.(labelled);
  // A rescore that moved a label would leave the axis of another class behind.
  labelled.forEach((c, k) => {
    if (c.label !== matches[k].label) c.axis = undefined;
  });
  // The run ends of the received masks feed the soft merge only and never leave this call: the next
  // call may overwrite them. No caller code runs between here and the end of the merge.
  arena.rewind();
  return rankAndMerge(labelled, (k) => measured(set.candidates[k].mask, set, arena), options);
}

/** Area and inclusive box of a full-resolution mask received as RLE. */
function measured(rle: Rle, set: CandidateSet, arena: RunArena): FullResMask {
  if (rle.size[0] !== set.height || rle.size[1] !== set.width) {
    throw new ShapeMismatchError(`a candidate mask is ${rle.size[0]}×${rle.size[1]}, the set is ${set.height}×${set.width} (h×w)`);
  }
  const { ends, area, box } = measuredRuns(rle, arena);
  return { rle, ends, area, box };
}
