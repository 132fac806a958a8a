// Matching a candidate set against a bank: shared/matching's matchCandidates with one addition,
// negative damping (negatives.ts) between labelling and NMS. Without negatives nothing is
// rescored, so the result is exactly matchCandidates' (the equality test of test/edge checks the
// edge's use of it against the gpu-node's own /v1/segment).
import { matchCandidates } from '../matching/index.ts';
import type { PipelineOptionsInput, Rescore } from '../matching/index.ts';
import type { CandidateSet, Detection } from '../types.ts';
import { dampScores } from './negatives.ts';

export interface MatchingVectors {
  /** Per label, the class prototype (any norm). */
  prototypes: readonly ArrayLike<number>[];
  /** Per label, the vectors of the class's negative references. */
  negatives: readonly (readonly ArrayLike<number>[])[];
}

export function matchBank(set: CandidateSet, bank: MatchingVectors, options: PipelineOptionsInput): Detection[] {
  const damp: Rescore = (labelled) => {
    const damped = dampScores(labelled, bank.negatives);
    labelled.forEach((c, k) => (c.score = damped[k]));
  };
  return matchCandidates(set, bank.prototypes, options, bank.negatives.some((n) => n.length > 0) ? damp : undefined);
}
