// Instance level of the two-step aggregation (spec/method.md §2 step 1).
import { PATCH_GRID } from './geometry.ts';
import { BankArgumentError } from './errors.ts';

const PATCHES = PATCH_GRID * PATCH_GRID;

/**
 * Soft-weighted mean Σ w·F / Σ w of the 37×37 patch features (row-major `[1369, D]`), accumulated
 * in float64, no normalisation. Returns null when every weight is zero: the official code would
 * store 0/0 = NaN and poison the class, so callers must refuse that reference
 * (EmptyReferenceError: the mask covers no patch sample point).
 */
export function instanceMean(features37: ArrayLike<number>, weights37: ArrayLike<number>, D: number): Float64Array | null {
  if (weights37.length !== PATCHES) throw new BankArgumentError(`weights have ${weights37.length} values, expected ${PATCHES}`);
  if (features37.length !== PATCHES * D) throw new BankArgumentError(`features have ${features37.length} values, expected ${PATCHES}×${D}`);
  const sum = new Float64Array(D);
  let total = 0;
  for (let p = 0; p < PATCHES; p++) {
    const w = weights37[p];
    if (w === 0) continue;
    total += w;
    const row = p * D;
    for (let d = 0; d < D; d++) sum[d] += w * features37[row + d];
  }
  if (total === 0) return null;
  for (let d = 0; d < D; d++) sum[d] /= total;
  return sum;
}
