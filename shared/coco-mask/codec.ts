// Masks ↔ COCO RLE, as pycocotools' encode / decode / frPyObjects(uncompressed): runs walk the
// mask column by column (Fortran order), the first run counts background pixels.
import type { Rle } from '../types.ts';
import { countsToString } from './counts-string.ts';
import { MaskSizeMismatchError } from './errors.ts';
import { cachedCounts, checkCountsTile, pixelCount, rleCounts } from './rle-counts.ts';
import { Scratch, u32 } from './scratch.ts';

const transitionScratch = new Scratch(u32);
const columnScratch = new Scratch(u32);
const runScratch = new Scratch(u32);

/**
 * Row-major [h, w] mask → RLE. Any non-zero byte is foreground (pycocotools splits runs on every
 * change of byte value, which is the same for masks whose non-zero bytes are all equal).
 */
export function encodeMask(mask: Uint8Array, h: number, w: number): Rle {
  const n = pixelCount(h, w);
  if (mask.length !== n) throw new MaskSizeMismatchError(`mask has ${mask.length} values, ${h}×${w} needs ${n}`);
  // Walking the mask in column order strides across memory; instead one row-major pass finds
  // every pixel that differs from its predecessor in column order (the pixel above, or for row 0
  // the bottom pixel of the previous column), and a bucket pass by column puts them in order.
  const perColumn = columnScratch.atLeast(w).fill(0, 0, w);
  let transitions = transitionScratch.atLeast(0);
  let k = 0;
  const lastRow = (h - 1) * w;
  const mark = (x: number, y: number): void => {
    if (k === transitions.length) transitions = transitionScratch.grow(k);
    transitions[k++] = x * h + y;
    perColumn[x]++;
  };
  for (let x = 0; x < w && h > 0; x++) {
    const a = mask[x];
    const b = x > 0 ? mask[lastRow + x - 1] : 0;
    if (a !== b && (a === 0 || b === 0)) mark(x, 0);
  }
  // Rows 1.. compare with the row above, four pixels at a time where rows are word-aligned.
  const words = w % 4 === 0 && mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, n >> 2) : null;
  for (let y = 1; y < h; y++) {
    const row = y * w;
    if (words !== null) {
      const wordRow = row >> 2;
      const wordStride = w >> 2;
      for (let i = wordRow, end = wordRow + wordStride; i < end; i++) {
        if (words[i] === words[i - wordStride]) continue;
        for (let x = (i - wordRow) << 2, stop = x + 4; x < stop; x++) {
          const a = mask[row + x];
          const b = mask[row - w + x];
          if (a !== b && (a === 0 || b === 0)) mark(x, y);
        }
      }
    } else {
      for (let x = 0; x < w; x++) {
        const a = mask[row + x];
        const b = mask[row - w + x];
        if (a !== b && (a === 0 || b === 0)) mark(x, y);
      }
    }
  }
  // perColumn becomes each column's next write offset.
  const runs = runScratch.atLeast(k + 1);
  let offset = 0;
  for (let x = 0; x < w; x++) {
    const c = perColumn[x];
    perColumn[x] = offset;
    offset += c;
  }
  for (let i = 0; i < k; i++) {
    const t = transitions[i];
    runs[perColumn[Math.floor(t / h)]++] = t;
  }
  // Runs are the gaps between consecutive transitions (the first run counts background).
  let prev = 0;
  for (let i = 0; i < k; i++) {
    const t = runs[i];
    runs[i] = t - prev;
    prev = t;
  }
  runs[k] = n - prev;
  const counts = countsToString(runs.subarray(0, k + 1));
  transitionScratch.release();
  columnScratch.release();
  runScratch.release();
  return { size: [h, w], counts };
}

/** RLE → row-major [h, w] mask of 0/1. */
export function decodeRle(rle: Rle): Uint8Array {
  const counts = cachedCounts(rle);
  const [h, w] = rle.size;
  const out = new Uint8Array(h * w);
  // Mark where each column's foreground starts and stops, then fill by XOR-ing every row with the
  // one above, inside the box that holds the marks: row-major, sequential, no per-pixel strides.
  let xMin = w;
  let xMax = -1;
  let yMin = h;
  let yMax = -1;
  let p = 0;
  for (let j = 0; j < counts.length; j++) {
    let len = counts[j];
    if (j % 2 === 1 && len > 0) {
      let x = Math.floor(p / h);
      let y = p - x * h;
      if (x < xMin) xMin = x;
      while (len > 0) {
        const take = Math.min(len, h - y);
        const stop = y + take;
        out[y * w + x] ^= 1;
        if (stop < h) out[stop * w + x] ^= 1;
        if (y < yMin) yMin = y;
        if (stop > yMax) yMax = stop < h ? stop : h - 1;
        if (x > xMax) xMax = x;
        len -= take;
        x++;
        y = 0;
      }
    }
    p += counts[j];
  }
  if (w % 4 === 0 && yMax > yMin) {
    // Bytes outside the box are 0 in every row, so XOR-ing whole words that cover it is exact.
    const words = new Uint32Array(out.buffer, 0, out.length >> 2);
    const stride = w >> 2;
    for (let y = yMin + 1; y <= yMax; y++) {
      const row = y * stride;
      for (let i = row + (xMin >> 2), end = row + (xMax >> 2); i <= end; i++) words[i] ^= words[i - stride];
    }
  } else {
    for (let y = yMin + 1; y <= yMax; y++) {
      const row = y * w;
      for (let i = row + xMin, end = row + xMax; i <= end; i++) out[i] ^= out[i - w];
    }
  }
  return out;
}

/**
 * Uncompressed COCO counts → RLE, as frPyObjects({size, counts: [...]}): the runs are written
 * exactly as given (zero-length runs included), but they must cover the h×w mask exactly.
 */
export function frUncompressed(counts: ArrayLike<number>, h: number, w: number): Rle {
  pixelCount(h, w);
  const counted = countsToString(counts);
  checkCountsTile(counts, h, w);
  return { size: [h, w], counts: counted };
}

/** RLE → uncompressed COCO counts (the `counts` list of an iscrowd annotation). */
export function rleToUncompressed(rle: Rle): number[] {
  return Array.from(rleCounts(rle));
}
