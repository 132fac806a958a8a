// Overlap of two masks straight from their runs: O(runs), no pixel buffer.
import type { Rle } from '../types.ts';
import { checkSameSize, cachedCounts } from './rle-counts.ts';

/** Number of pixels in both masks. */
export function intersectionArea(a: Rle, b: Rle): number {
  checkSameSize([a, b], 'intersection');
  return intersectionAreaCounts(cachedCounts(a), cachedCounts(b));
}

/** Same, on run lists already decoded (e.g. by rleCounts) that tile the same mask. */
export function intersectionAreaCounts(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // No bound: every count is above −1 (the areas only sharpen a bound).
  return intersectionAreaAbove(runEnds(a), Infinity, runEnds(b), Infinity, -1);
}

/**
 * A run list as positions: ends[k] = runs[0] + … + runs[k], the pixel after run k (runs at odd
 * positions are foreground).
 */
export function runEnds(runs: ArrayLike<number>): Float64Array {
  const n = runs.length;
  const ends = new Float64Array(n);
  // Four runs per step on one chain of adds (its latency, not the loads, bounds the loop).
  let end = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const r0 = runs[k];
    const r01 = r0 + runs[k + 1];
    const r2 = runs[k + 2];
    const r23 = r2 + runs[k + 3];
    ends[k] = end + r0;
    ends[k + 1] = end + r01;
    ends[k + 2] = end + r01 + r2;
    end += r01 + r23;
    ends[k + 3] = end;
  }
  for (; k < n; k++) {
    end += runs[k];
    ends[k] = end;
  }
  return ends;
}

/**
 * |A ∩ B| if it is above `atMost`, else −1, from run ends; areaA and areaB are the foreground
 * areas (or any upper bounds). The walk starts at the later of the two masks' first foreground
 * pixels (the earlier mask's runs before it are found by bisection, not walked), always advances
 * the run that ends first, and stops as soon as the foreground not yet passed cannot lift the
 * count above atMost (a caller that only needs intersections above a bound skips most of the walk
 * of a pair that stays below it).
 */
export function intersectionAreaAbove(A: Float64Array, areaA: number, B: Float64Array, areaB: number, atMost: number): number {
  const na = A.length;
  const nb = B.length;
  const none = atMost < 0 ? 0 : -1;
  if (na < 2 || nb < 2) return none;
  let ia = 1;
  let ib = 1;
  // Foreground not yet passed: exact for the mask walked from its start, the whole area (a bound)
  // for the one entered by bisection, whose skipped runs meet nothing.
  let aLeft = areaA;
  let bLeft = areaB;
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
    if (hi > lo) inter += hi - lo;
    if (aEnd <= bEnd) {
      aLeft -= aEnd - aStart;
      ia += 2;
      if (ia >= na || inter + aLeft <= atMost) return inter > atMost ? inter : -1;
      aStart = A[ia - 1];
      aEnd = A[ia];
    } else {
      bLeft -= bEnd - bStart;
      ib += 2;
      if (ib >= nb || inter + bLeft <= atMost) return inter > atMost ? inter : -1;
      bStart = B[ib - 1];
      bEnd = B[ib];
    }
  }
}

/** The first odd k with ends[k] > pixel (a foreground run that ends after it), ends.length or more if none. */
function firstEndingAfter(ends: Float64Array, pixel: number): number {
  let lo = 0;
  let hi = ends.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[2 * mid + 1] > pixel) hi = mid;
    else lo = mid + 1;
  }
  return 2 * lo + 1;
}
