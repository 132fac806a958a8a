// Overlap of two masks straight from their runs: O(runs), no pixel buffer, no allocation.
import type { Rle } from '../types.ts';
import { checkSameSize, cachedCounts } from './rle-counts.ts';

/** Number of pixels in both masks. */
export function intersectionArea(a: Rle, b: Rle): number {
  checkSameSize([a, b], 'intersection');
  return intersectionAreaCounts(cachedCounts(a), cachedCounts(b));
}

/**
 * Same, on run lists already decoded (e.g. by rleCounts) that tile the same mask: walks the
 * foreground intervals of both lists in step, always advancing the one that ends first.
 */
export function intersectionAreaCounts(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // No bound: the walk never stops early and every count is above −1.
  return intersectionAreaAbove(a, b, Infinity, -1);
}

/**
 * intersectionAreaCounts(a, b) if it is above `atMost`, else −1, where `areaA` is a's foreground
 * area: the walk stops as soon as the foreground of a not yet passed cannot lift the count above
 * atMost (a caller that only needs intersections above a bound skips most of the walk of a pair
 * that stays below it).
 */
export function intersectionAreaAbove(a: ArrayLike<number>, b: ArrayLike<number>, areaA: number, atMost: number): number {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return atMost < 0 ? 0 : -1;
  let ia = 1;
  let ib = 1;
  let aStart = a[0];
  let aEnd = aStart + a[1];
  let bStart = b[0];
  let bEnd = bStart + b[1];
  let inter = 0;
  // Foreground of a from the current run on (the current run counted whole: an upper bound).
  let aLeft = areaA;
  for (;;) {
    const lo = aStart > bStart ? aStart : bStart;
    const hi = aEnd < bEnd ? aEnd : bEnd;
    if (hi > lo) inter += hi - lo;
    if (aEnd <= bEnd) {
      aLeft -= a[ia];
      ia += 2;
      if (ia >= na || inter + aLeft <= atMost) return inter > atMost ? inter : -1;
      aStart = aEnd + a[ia - 1];
      aEnd = aStart + a[ia];
    } else {
      ib += 2;
      if (ib >= nb) return inter > atMost ? inter : -1;
      bStart = bEnd + b[ib - 1];
      bEnd = bStart + b[ib];
    }
  }
}
