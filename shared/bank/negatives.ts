// Negative references: examples of what a class is not (a look-alike product, the background
// texture that keeps matching). They damp a proposal's score, after labelling:
//
//   s_pos  = the proposal's score: max(0, cos(ĝ, P̂_label)) (spec/method.md §3.4)
//   s_neg  = max over the label's negatives n_k of cos(ĝ, n_k)
//   score' = s_pos · exp(−max(0, s_neg − s_pos) / τ),   τ = 0.8
//
// This is the form and temperature of the official code's unused negative-memory variant,
// exp(−(s_neg − s_pos)₊ / 0.8) (spec/method.md §2), applied as a factor on the score. Why:
// - Only a proposal closer to a negative than to its class prototype is damped. Negatives are
//   chosen because they resemble the class, so a true instance (closer to the prototype) keeps
//   its score exactly.
// - The factor lies in (0, 1] and is 1 without negatives: labels never change, no score
//   becomes 0 or negative, so class-aware NMS (ranked by SAM IoU), the score > 0 filter and
//   the soft merge's pairs are those of the official pipeline; only the scores, hence the
//   ranking and the thresholds, move. A bank without negatives reproduces the official output.
// - Smooth in the gap: 0.1 → ×0.88, 0.4 → ×0.61, 0.8 → ×0.37 (never a hard cut on one number).
// - The maximum over individual negatives, not their mean: the negatives of a class are usually
//   different look-alikes, and their mean would resemble none of them.
// Apply it to the labelled candidates' scores before NMS and the soft merge, so the merge decays
// the damped scores.
import { cosineSimilarity } from './cosine.ts';

export const NEGATIVE_TEMPERATURE = 0.8;

export interface DampingCandidate {
  label: number;
  /** max(0, cosine to the label's prototype). */
  score: number;
  embedding: ArrayLike<number>;
}

/** Largest cosine of `embedding` with any of `negatives`; null without negatives. */
export function negativeSimilarity(embedding: ArrayLike<number>, negatives: readonly ArrayLike<number>[]): number | null {
  let best: number | null = null;
  for (const n of negatives) {
    const s = cosineSimilarity(embedding, n);
    if (best === null || s > best) best = s;
  }
  return best;
}

/** score · exp(−max(0, s_neg − score) / τ); the score itself when there is no negative. */
export function dampScore(score: number, sNeg: number | null, temperature = NEGATIVE_TEMPERATURE): number {
  if (sNeg === null) return score;
  return score * Math.exp(-Math.max(0, sNeg - score) / temperature);
}

/**
 * Damped scores of labelled candidates, same order. `negativesByLabel[label]` holds that class's
 * negative vectors (any norm); a label without an entry has no negatives.
 */
export function dampScores(
  candidates: readonly DampingCandidate[],
  negativesByLabel: readonly (readonly ArrayLike<number>[] | undefined)[],
  temperature = NEGATIVE_TEMPERATURE,
): Float64Array {
  return Float64Array.from(candidates, (c) => dampScore(c.score, negativeSimilarity(c.embedding, negativesByLabel[c.label] ?? []), temperature));
}
