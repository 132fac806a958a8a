// Area and bounding box of an RLE, as pycocotools 2.0.8's rleArea / rleToBbox.
import type { CocoBox, Rle } from '../types.ts';
import { cachedCounts } from './rle-counts.ts';

/** Number of foreground pixels. */
export function rleArea(rle: Rle): number {
  return countsArea(cachedCounts(rle));
}

export function countsArea(counts: ArrayLike<number>): number {
  let a = 0;
  for (let j = 1; j < counts.length; j += 2) a += counts[j];
  return a;
}

/** COCO box [x, y, w, h] of the foreground. */
export function rleToBbox(rle: Rle): CocoBox {
  return countsToBbox(cachedCounts(rle), rle.size[0], rle.size[1]);
}

/**
 * pycocotools >= 2.0.3 semantics: an odd trailing run is ignored, zero-length foreground runs are
 * skipped, a run that spans columns widens the box to the full height. Widths and heights are
 * uint32 sums in C; when every foreground run has length 0 (only possible with hand-made counts)
 * they wrap around, and so do they here.
 */
export function countsToBbox(counts: ArrayLike<number>, h: number, w: number): CocoBox {
  const m = counts.length & ~1;
  if (m === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  for (let j = 0; j < m; j++) {
    const start = cc;
    cc += counts[j];
    if (j % 2 === 0 || counts[j] === 0) continue;
    const xStart = Math.floor(start / h);
    const xEnd = Math.floor((cc - 1) / h);
    if (xStart < xs) xs = xStart;
    if (xEnd > xe) xe = xEnd;
    if (xStart < xEnd) {
      ys = 0;
      ye = h - 1;
    } else {
      const yStart = start - xStart * h;
      const yEnd = cc - 1 - xEnd * h;
      if (yStart < ys) ys = yStart;
      if (yEnd > ye) ye = yEnd;
    }
  }
  return [xs, ys, (xe - xs + 1) >>> 0, (ye - ys + 1) >>> 0];
}
