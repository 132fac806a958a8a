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
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return 0;
  let ia = 1;
  let ib = 1;
  let aStart = a[0];
  let aEnd = aStart + a[1];
  let bStart = b[0];
  let bEnd = bStart + b[1];
  let inter = 0;
  for (;;) {
    const lo = aStart > bStart ? aStart : bStart;
    const hi = aEnd < bEnd ? aEnd : bEnd;
    if (hi > lo) inter += hi - lo;
    if (aEnd <= bEnd) {
      ia += 2;
      if (ia >= na) return inter;
      aStart = aEnd + a[ia - 1];
      aEnd = aStart + a[ia];
    } else {
      ib += 2;
      if (ib >= nb) return inter;
      bStart = bEnd + b[ib - 1];
      bEnd = bStart + b[ib];
    }
  }
}
