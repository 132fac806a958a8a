// Matching a candidate set against a bank: the steps of shared/matching's matchCandidates with one
// addition, negative damping (negatives.ts) between labelling and NMS. Without negatives the
// damping factor is exactly 1, so the result is matchCandidates' (the equality test of test/edge
// checks the edge's use of it against the gpu-node's own /v1/segment).
//
// matchCandidates has no hook between labelling and rankAndMerge, so the labelling loop and the
// RLE measurement are repeated here from its public parts (see the report: a `scores` hook in
// shared/matching would let this file shrink to one call).
import { countsArea, countsToBbox, rleCounts } from '../coco-mask/index.ts';
import { createClassMatcher, rankAndMerge, resolvePipelineOptions, ShapeMismatchError } from '../matching/index.ts';
import type { FullResMask, LabelledCandidate, PipelineOptionsInput } from '../matching/index.ts';
import type { CandidateSet, Detection } from '../types.ts';
import { dampScores } from './negatives.ts';

export interface MatchingVectors {
  /** Per label, the class prototype (any norm). */
  prototypes: readonly ArrayLike<number>[];
  /** Per label, the vectors of the class's negative references. */
  negatives: readonly (readonly ArrayLike<number>[])[];
}

export function matchBank(set: CandidateSet, bank: MatchingVectors, options: PipelineOptionsInput): Detection[] {
  const resolved = resolvePipelineOptions(options);
  const matcher = createClassMatcher(bank.prototypes, set.dim, resolved.classes);
  const labelled: LabelledCandidate[] = set.candidates.map((c, k) => {
    const { label, score } = matcher.match(c.embedding);
    return { index: k, iou: c.iou, box256: c.box256, label, score, embedding: c.embedding };
  });
  if (bank.negatives.some((n) => n.length > 0)) {
    const damped = dampScores(labelled, bank.negatives);
    labelled.forEach((c, k) => (c.score = damped[k]));
  }
  return rankAndMerge(labelled, (k) => measured(set, k), resolved).detections;
}

function measured(set: CandidateSet, k: number): FullResMask {
  const rle = set.candidates[k].mask;
  if (rle.size[0] !== set.height || rle.size[1] !== set.width) {
    throw new ShapeMismatchError(`candidate ${k}'s mask is ${rle.size[0]}×${rle.size[1]}, the set is ${set.height}×${set.width} (h×w)`);
  }
  const runs = rleCounts(rle);
  const area = countsArea(runs);
  if (area === 0) return { rle, runs, area, box: [0, 0, 0, 0] };
  const [x, y, w, h] = countsToBbox(runs, set.height, set.width);
  return { rle, runs, area, box: [x, y, x + w - 1, y + h - 1] };
}
