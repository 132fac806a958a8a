// Polygons and boxes → RLE, replicating pycocotools' rasteriser (maskApi.c rleFrPoly): vertices
// are scaled by 5 and rounded, every edge is walked one upsampled unit at a time, and each step
// that crosses the centre line of a pixel column (upsampled x = 5·col + 2.5) toggles the mask at
// that column, from the row below the crossing down. The toggles, sorted in column-major order,
// are the run boundaries. Identical masks need identical arithmetic, so the C integer
// conversions (truncation toward zero) and double expressions are kept as they are.
//
// pycocotools visits every upsampled sample, so its cost grows with the coordinates (an edge
// from 0 to 2.6e7 is 1.3e8 samples). Only the steps that cross a column centre inside the image
// can toggle anything, so here each edge visits just those: x-major edges move one unit of x per
// sample, so the step over column c sits at a known sample; y-major edges are found by binary
// search on their (monotone) x. Cost per edge: O(columns it crosses inside the image).
import { MalformedPolygonError } from '../errors.ts';
import type { CocoBox, Rle } from '../types.ts';
import { countsToString } from './counts-string.ts';
import { pixelCount } from './rle-counts.ts';
import { Scratch, u32 } from './scratch.ts';

const SCALE = 5;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** C's double → int conversion as x86 compilers emit it: truncate; NaN and overflow give INT_MIN. */
function cInt(v: number): number {
  const t = Math.trunc(v);
  return t >= INT_MIN && t <= INT_MAX ? t : INT_MIN;
}

/**
 * Toggle positions of one polygon. Positions toggled an even number of times cancel (as the
 * merge of zero-length runs in rleFrPoly does), so past a size bound the list is folded into a
 * parity bitset of the h·w + 1 positions: memory stays O(image) whatever the polygon.
 */
class Toggles {
  private buf: Uint32Array;
  private nt = 0;
  private parity: Uint32Array | null = null;
  private readonly foldAt: number;

  constructor(
    private readonly scratch: Scratch<Uint32Array<ArrayBuffer>>,
    private readonly n: number,
  ) {
    this.buf = scratch.atLeast(0);
    this.foldAt = Math.max(1 << 16, (n >>> 5) + 1);
  }

  push(pos: number): void {
    if (this.nt === this.foldAt) this.fold();
    if (this.nt === this.buf.length) this.buf = this.scratch.grow(this.nt);
    this.buf[this.nt++] = pos;
  }

  private fold(): void {
    this.parity ??= new Uint32Array((this.n >>> 5) + 1);
    for (let i = 0; i < this.nt; i++) this.parity[this.buf[i] >>> 5] ^= 1 << (this.buf[i] & 31);
    this.nt = 0;
  }

  /** The run lengths, as rleFrPoly computes them from its toggles. */
  runs(): Uint32Array {
    if (this.parity === null) return togglesToRuns(this.buf, this.nt, this.n);
    this.fold();
    let count = 0;
    for (const word of this.parity) count += popcount(word);
    const odd = new Uint32Array(count);
    let m = 0;
    for (let i = 0; i < this.parity.length; i++) {
      for (let word = this.parity[i]; word !== 0; word &= word - 1) odd[m++] = i * 32 + (31 - Math.clz32(word & -word));
    }
    return togglesToRuns(odd, count, this.n);
  }
}

function popcount(v: number): number {
  let c = 0;
  for (let x = v; x !== 0; x &= x - 1) c++;
  return c;
}

const toggleScratch = new Scratch(u32);

/** One edge of the upsampled polygon, oriented from its lower end as rleFrPoly orients it. */
interface Edge {
  xs: number;
  ys: number;
  /** Samples minus one: max(|dx|, |dy|). */
  len: number;
  xMajor: boolean;
  /** The edge is walked from (xe, ye) back to (xs, ys). */
  flip: boolean;
  s: number;
}

function edgeOf(x0: number, y0: number, x1: number, y1: number): Edge {
  let [xs, xe, ys, ye] = [x0, x1, y0, y1];
  const dx = Math.abs(xe - xs);
  const dy = Math.abs(ys - ye);
  const xMajor = dx >= dy;
  // Each edge is sampled from its lower end, so shared edges round the same both ways.
  const flip = (xMajor && xs > xe) || (!xMajor && ys > ye);
  if (flip) {
    [xs, xe] = [xe, xs];
    [ys, ye] = [ye, ys];
  }
  // NaN for a repeated vertex, as in C (the edge's single sample never reads it).
  const s = xMajor ? (ye - ys) / dx : (xe - xs) / dy;
  return { xs, ys, len: xMajor ? dx : dy, xMajor, flip, s };
}

/** Upsampled x and y of the d-th sample in walking order. */
function sampleU(e: Edge, d: number): number {
  const t = e.flip ? e.len - d : d;
  return e.xMajor ? t + e.xs : cInt(e.xs + e.s * t + 0.5);
}
function sampleV(e: Edge, d: number): number {
  const t = e.flip ? e.len - d : d;
  return e.xMajor ? cInt(e.ys + e.s * t + 0.5) : t + e.ys;
}

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

  const toggles = new Toggles(toggleScratch, n);
  // The step from sample (pu, pv) to (u, v), as rleFrPoly's downsampling loop sees it.
  const step = (pu: number, pv: number, u: number, v: number): void => {
    if (u === pu) return;
    let xd = u < pu ? u : u - 1;
    xd = (xd + 0.5) / SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) return;
    let yd = v < pv ? v : pv;
    yd = (yd + 0.5) / SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > h) yd = h;
    toggles.push(xd * h + Math.ceil(yd));
  };
  const stepWithin = (e: Edge, d: number) => step(sampleU(e, d - 1), sampleV(e, d - 1), sampleU(e, d), sampleV(e, d));

  let last: Edge | null = null;
  try {
    for (let j = 0; j < k; j++) {
      const e = edgeOf(x[j], y[j], x[j + 1], y[j + 1]);
      // The last sample of one edge and the first of the next are consecutive too.
      if (last !== null) step(sampleU(last, last.len), sampleV(last, last.len), sampleU(e, 0), sampleV(e, 0));
      last = e;
      if (e.len === 0) continue;
      if (e.xMajor) {
        // x moves by one per sample: the step over column c is from upsampled x = 5c + 2 to
        // 5c + 3 (either way round, which gives the same toggle), at t = 5c + 2 - xs.
        const lo = Math.max(0, Math.ceil((e.xs - 2) / SCALE));
        const hi = Math.min(w - 1, Math.floor((e.xs + e.len - 1 - 2) / SCALE));
        for (let c = lo; c <= hi; c++) {
          const t = SCALE * c + 2 - e.xs;
          const va = cInt(e.ys + e.s * t + 0.5);
          const vb = cInt(e.ys + e.s * (t + 1) + 0.5);
          let yd = ((va < vb ? va : vb) + 0.5) / SCALE - 0.5;
          if (yd < 0) yd = 0;
          else if (yd > h) yd = h;
          toggles.push(c * h + Math.ceil(yd));
        }
      } else {
        yMajorSteps(e, w, stepWithin);
      }
    }
    return { size: [h, w], counts: countsToString(toggles.runs()) };
  } finally {
    toggleScratch.release();
  }
}

/**
 * The steps of a y-major edge that can toggle a column. Along the walk x is monotone, so per
 * column there is one candidate step: where x first reaches 5c + 3 going right (the step then
 * covers 5c + 2 → 5c + 3) or first falls to 5c + 2 going left.
 */
function yMajorSteps(e: Edge, w: number, stepWithin: (e: Edge, d: number) => void): void {
  const u0 = sampleU(e, 0);
  const uL = sampleU(e, e.len);
  if (u0 === uL) return;
  const right = uL > u0;
  // g is non-decreasing in the walking index d.
  const g = right ? (d: number) => sampleU(e, d) : (d: number) => -sampleU(e, d);
  const lo = right ? Math.ceil((u0 + 1 - 3) / SCALE) : Math.ceil((uL - 2) / SCALE);
  const hi = right ? Math.floor((uL - 3) / SCALE) : Math.floor((u0 - 1 - 2) / SCALE);
  const g0 = g(0);
  const span = g(e.len) - g0;
  for (let c = Math.max(0, lo); c <= Math.min(w - 1, hi); c++) {
    const target = right ? SCALE * c + 3 : -(SCALE * c + 2);
    // Smallest d in [1, len] with g(d) ≥ target (g(0) < target ≤ g(len) by the column range),
    // searched first near the linear estimate.
    const guess = Math.round(((target - g0) / span) * e.len);
    let a = Math.max(1, guess - 2);
    let b = Math.min(e.len, guess + 2);
    if (!(a <= b && (a === 1 || g(a - 1) < target) && g(b) >= target)) {
      a = 1;
      b = e.len;
    }
    while (a < b) {
      const mid = Math.floor((a + b) / 2);
      if (g(mid) >= target) b = mid;
      else a = mid + 1;
    }
    stepWithin(e, a);
  }
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
