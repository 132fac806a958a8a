// Polygons and boxes → RLE, replicating pycocotools' rasteriser (maskApi.c rleFrPoly) step for
// step: vertices are scaled by 5 and rounded, every edge is walked one upsampled unit at a time,
// and each step that crosses the centre line of a pixel column (upsampled x = 5·col + 2.5) toggles
// the mask at that column, from the row below the crossing down. The toggles, sorted in
// column-major order, are the run boundaries. Identical masks need identical arithmetic, so the
// C integer conversions (truncation toward zero) and double expressions are kept as they are.
import { MalformedPolygonError } from '../errors.ts';
import type { CocoBox, Rle } from '../types.ts';
import { countsToString } from './counts-string.ts';
import { pixelCount } from './rle-counts.ts';
import { Scratch, u32 } from './scratch.ts';

const SCALE = 5;
/**
 * Upper bound on the upsampled boundary samples of one polygon (pycocotools allocates two int
 * buffers of this length). Polygons inside any realistic image need far fewer; the bound stops
 * a polygon with huge coordinates from taking unbounded time.
 */
const MAX_BOUNDARY_SAMPLES = 2 ** 28;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** C's double → int conversion as x86 compilers emit it: truncate; NaN and overflow give INT_MIN. */
function cInt(v: number): number {
  const t = Math.trunc(v);
  return t >= INT_MIN && t <= INT_MAX ? t : INT_MIN;
}

const toggleScratch = new Scratch(u32);

/** One COCO polygon [x0, y0, x1, y1, ...] → RLE; an odd trailing value is ignored (k = ⌊len/2⌋ points). */
export function frPoly(polygon: ArrayLike<number>, h: number, w: number): Rle {
  const n = pixelCount(h, w);
  const k = Math.floor(polygon.length / 2);
  const x = new Int32Array(k + 1);
  const y = new Int32Array(k + 1);
  for (let j = 0; j < 2 * k; j++) {
    const v = polygon[j];
    const scaled = SCALE * v + 0.5;
    if (typeof v !== 'number' || !(Math.abs(scaled) <= INT_MAX)) {
      throw new MalformedPolygonError(`polygon value ${j} is ${String(v)}; coordinates must be finite and below 4·10^8 in magnitude`);
    }
    if (j % 2 === 0) x[j >> 1] = Math.trunc(scaled);
    else y[j >> 1] = Math.trunc(scaled);
  }
  if (k === 0) return { size: [h, w], counts: countsToString([n]) };
  x[k] = x[0];
  y[k] = y[0];
  let samples = 0;
  for (let j = 0; j < k; j++) samples += Math.max(Math.abs(x[j] - x[j + 1]), Math.abs(y[j] - y[j + 1])) + 1;
  if (samples > MAX_BOUNDARY_SAMPLES) {
    throw new MalformedPolygonError(`polygon boundary is ${samples} samples long at 5× scale (limit ${MAX_BOUNDARY_SAMPLES}); coordinates far outside the image?`);
  }

  let toggles = toggleScratch.atLeast(0);
  let nt = 0;
  let first = true;
  let pu = 0;
  let pv = 0;
  // Visits the boundary samples in the order pycocotools stores them; a step between two
  // consecutive samples whose x differs may cross a column centre.
  const visit = (u: number, v: number): void => {
    if (!first && u !== pu) {
      let xd = u < pu ? u : u - 1;
      xd = (xd + 0.5) / SCALE - 0.5;
      if (Math.floor(xd) === xd && xd >= 0 && xd <= w - 1) {
        let yd = v < pv ? v : pv;
        yd = (yd + 0.5) / SCALE - 0.5;
        if (yd < 0) yd = 0;
        else if (yd > h) yd = h;
        yd = Math.ceil(yd);
        if (nt === toggles.length) toggles = toggleScratch.grow(nt);
        toggles[nt++] = xd * h + yd;
      }
    }
    first = false;
    pu = u;
    pv = v;
  };

  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    // Each edge is sampled from its lower end, so shared edges round the same both ways.
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    if (dx >= dy) {
      const s = (ye - ys) / dx; // NaN for a repeated vertex, as in C
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        visit(t + xs, cInt(ys + s * t + 0.5));
      }
    } else {
      const s = (xe - xs) / dy;
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        visit(cInt(xs + s * t + 0.5), t + ys);
      }
    }
  }
  const runs = togglesToRuns(toggles, nt, n);
  toggleScratch.release();
  return { size: [h, w], counts: countsToString(runs) };
}

/** Sorted toggle positions → runs; two toggles at one position cancel, as in rleFrPoly. */
function togglesToRuns(buf: Uint32Array, nt: number, n: number): Uint32Array {
  const a = new Uint32Array(nt + 1);
  a.set(buf.subarray(0, nt));
  a[nt] = n;
  a.sort();
  let p = 0;
  for (let j = 0; j <= nt; j++) {
    const t = a[j];
    a[j] -= p;
    p = t;
  }
  const kk = nt + 1;
  let m = 0;
  let j = 0;
  a[m++] = a[j++];
  while (j < kk) {
    if (a[j] > 0) a[m++] = a[j++];
    else {
      j++;
      if (j < kk) a[m - 1] += a[j++];
    }
  }
  return a.subarray(0, m);
}

/** COCO box [x, y, w, h] → RLE, rasterised as the polygon (x,y) (x,y+h) (x+w,y+h) (x+w,y), as frBbox. */
export function frBbox(box: CocoBox, h: number, w: number): Rle {
  const [xs, ys, bw, bh] = box;
  const xe = xs + bw;
  const ye = ys + bh;
  return frPoly([xs, ys, xs, ye, xe, ye, xe, ys], h, w);
}
