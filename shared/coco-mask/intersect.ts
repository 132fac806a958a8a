// Overlap of two masks straight from their runs: O(runs), no pixel buffer. Positions are int32:
// masks of at most 2^31 − 1 pixels (MAX_WALK_PIXELS), so the walks run on integer compares.
import type { Rle } from '../types.ts';
import { RleFormatError } from './errors.ts';
import { countsArea } from './measure.ts';
import { checkSameSize, cachedCounts } from './rle-counts.ts';

/** Largest mask (h·w) whose positions run ends hold. */
export const MAX_WALK_PIXELS = 2 ** 31 - 1;

/** Number of pixels in both masks. */
export function intersectionArea(a: Rle, b: Rle): number {
  checkSameSize([a, b], 'intersection');
  return intersectionAreaCounts(cachedCounts(a), cachedCounts(b));
}

/** Same, on run lists already decoded (e.g. by rleCounts) that tile the same mask. */
export function intersectionAreaCounts(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // No bound: every count is above −1 (the areas only sharpen a bound).
  return intersectionAreaAbove(runEnds(a), countsArea(a), runEnds(b), countsArea(b), -1);
}

/**
 * A run list as positions: ends[k] = runs[0] + … + runs[k], the pixel after run k (runs at odd
 * positions are foreground). Throws for runs past MAX_WALK_PIXELS.
 */
export function runEnds(runs: ArrayLike<number>): Int32Array {
  const n = runs.length;
  const ends = new Int32Array(n);
  let end = 0;
  for (let k = 0; k < n; k++) {
    end += runs[k];
    ends[k] = end;
  }
  if (end > MAX_WALK_PIXELS) throw new RleFormatError(`runs cover ${end} pixels; overlap walks take masks of at most ${MAX_WALK_PIXELS}`);
  return ends;
}

/**
 * |A ∩ B| if it is above `atMost`, else −1, from run ends; areaA and areaB are the foreground
 * areas (or any upper bounds: a bound past MAX_WALK_PIXELS counts as that). The walk starts at
 * the later of the two masks' first foreground pixels (the earlier mask's runs before it are found
 * by bisection, not walked), always advances the run that ends first, and stops as soon as the
 * foreground not yet passed cannot lift the count above atMost (a caller that only needs
 * intersections above a bound skips most of the walk of a pair that stays below it).
 */
export function intersectionAreaAbove(A: Int32Array, areaA: number, B: Int32Array, areaB: number, atMost: number): number {
  const na = A.length;
  const nb = B.length;
  const none = atMost < 0 ? 0 : -1;
  if (na < 2 || nb < 2) return none;
  let ia = 1;
  let ib = 1;
  // Foreground not yet passed: exact for the mask walked from its start, the whole area (a bound)
  // for the one entered by bisection, whose skipped runs meet nothing. `| 0` keeps the counts in
  // int32 (each stays within 0…its bound), so the loop runs on integer arithmetic.
  let aLeft = areaA < MAX_WALK_PIXELS ? areaA | 0 : MAX_WALK_PIXELS;
  let bLeft = areaB < MAX_WALK_PIXELS ? areaB | 0 : MAX_WALK_PIXELS;
  if (A[0] < B[0]) ia = firstEndingAfter(A, B[0]);
  else if (B[0] < A[0]) ib = firstEndingAfter(B, A[0]);
  if (ia >= na || ib >= nb) return none;
  let aStart = A[ia - 1];
  let aEnd = A[ia];
  let bStart = B[ib - 1];
  let bEnd = B[ib];
  let inter = 0;
  for (;;) {
    const lo = aStart > bStart ? aStart : bStart;
    const hi = aEnd < bEnd ? aEnd : bEnd;
    if (hi > lo) inter = (inter + hi - lo) | 0;
    if (aEnd <= bEnd) {
      aLeft = (aLeft - (aEnd - aStart)) | 0;
      ia += 2;
      if (ia >= na || inter + aLeft <= atMost) return inter > atMost ? inter : -1;
      aStart = A[ia - 1];
      aEnd = A[ia];
    } else {
      bLeft = (bLeft - (bEnd - bStart)) | 0;
      ib += 2;
      if (ib >= nb || inter + bLeft <= atMost) return inter > atMost ? inter : -1;
      bStart = B[ib - 1];
      bEnd = B[ib];
    }
  }
}

/** The first odd k with ends[k] > pixel (a foreground run that ends after it), ends.length or more if none. */
function firstEndingAfter(ends: Int32Array, pixel: number): number {
  let lo = 0;
  let hi = ends.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[2 * mid + 1] > pixel) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo + 1;
}
