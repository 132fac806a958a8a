import { BankArgumentError } from './errors.ts';

/**
 * Cosine of two vectors of one dimension, in float64. A zero vector gives 0, as dividing by
 * F.normalize's max(‖v‖, 1e-12) floor does.
 */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new BankArgumentError(`cosine of vectors of dimension ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let d = 0; d < a.length; d++) {
    dot += a[d] * b[d];
    na += a[d] * a[d];
    nb += b[d] * b[d];
  }
  return dot / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12));
}
