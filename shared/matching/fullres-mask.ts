// Full-resolution masks (method.md §3.6): the 256×256 logits resized to (ori_h, ori_w) with torch's
// antialiased bilinear (width pass, then height pass), thresholded at > 0, written straight to COCO
// RLE with the inclusive box and area.
//
// The resampling weights are non-negative and sum to 1, so an output pixel whose input window holds
// only positive cells is foreground and one whose window holds no positive cell is background;
// only pixels whose window is mixed (along the mask's edge) are interpolated. Outputs sharing a
// window form a group. Per mask, the 256-grid columns around its box become bit sets of their
// positive rows; per column group, the rows where every / some column of its window is positive
// give the row groups of each state as whole ranges, and only the edge pixels cost work.
import { countsToString, MAX_WALK_PIXELS, runEnds } from '../coco-mask/index.ts';
import { bilinearAaAxis } from '../resample/index.ts';
import type { BoxXyxy, Rle } from '../types.ts';
import { axisGroups } from './axis-groups.ts';
import type { AxisGroups } from './axis-groups.ts';
import { ShapeMismatchError } from './errors.ts';
import { LOW_RES } from './low-res-mask.ts';
import type { LowResLogits, LowResMask } from './low-res-mask.ts';

export interface FullResMask {
  rle: Rle;
  /** The same mask's uncompressed runs as run ends (runEnds), what overlap walks read. */
  ends: Int32Array;
  /** Foreground pixels. */
  area: number;
  /** Inclusive box; [0,0,0,0] when the mask is empty. */
  box: BoxXyxy;
}

export interface FullResRenderer {
  height: number;
  width: number;
  /** `at`: the plane of `logits` that holds the mask (default its index). */
  render(logits: LowResLogits, mask: LowResMask, at?: number): FullResMask;
  /** The same mask as COCO RLE only (what extraction keeps): no run ends. */
  renderRle(logits: LowResLogits, mask: LowResMask, at?: number): Rle;
}

// Module-local copy for the inner loops: after transpilation an imported binding can be a getter call.
const SIDE = LOW_RES;
/** 32-bit words of a bit set over the 256 grid rows. */
const WORDS = LOW_RES / 32;
const BACKGROUND = 0;
const FOREGROUND = 1;
const MIXED = 2;

export function createFullResRenderer(height: number, width: number): FullResRenderer {
  if (!(Number.isSafeInteger(height) && height > 0 && Number.isSafeInteger(width) && width > 0)) {
    throw new ShapeMismatchError(`image size must be positive integers, got ${width}×${height}`);
  }
  if (height * width > MAX_WALK_PIXELS) {
    throw new ShapeMismatchError(`image size ${width}×${height} has more than ${MAX_WALK_PIXELS} pixels (mask positions are int32)`);
  }
  const rowsAxis = axisGroups(bilinearAaAxis(LOW_RES, height), LOW_RES);
  const colsAxis = axisGroups(bilinearAaAxis(LOW_RES, width), LOW_RES);
  const ay = rowsAxis.axis;
  const ax = colsAxis.axis;
  const emptyRuns = Uint32Array.of(height * width);
  const emptyRle: Rle = { size: [height, width], counts: countsToString(emptyRuns) };
  const emptyEnds = runEnds(emptyRuns);
  const empty = (): FullResMask => ({ rle: emptyRle, ends: emptyEnds, area: 0, box: [0, 0, 0, 0] });

  // Scratch reused across masks (the counts grow on demand).
  // One spare column: runs that end on the last column flip a bit there.
  const columnBits = new Int32Array((LOW_RES + 1) * WORDS);
  const every = new Int32Array(WORDS);
  const some = new Int32Array(WORDS);
  let counts: Uint32Array = new Uint32Array(1024);
  const segments = rowsAxis.first.length;
  const segFrom = new Int32Array(segments);
  const segTo = new Int32Array(segments);
  const segState = new Uint8Array(segments);

  /** The mask's runs into `counts[0 … n−1]`, returning n, with its area and box in `drawn`; 0 when empty. */
  const drawn = { area: 0, box: [0, 0, 0, 0] as BoxXyxy };
  function draw(logits: LowResLogits, mask: LowResMask, at: number): number {
    if (mask.area === 0) return 0;
    const [bx1, by1, bx2, by2] = mask.box;
    const ox0 = colsAxis.reachFirst[bx1];
    const ox1 = colsAxis.reachLast[bx2] + 1;
    const oy0 = rowsAxis.reachFirst[by1];
    const oy1 = rowsAxis.reachLast[by2] + 1;
    // The 256-grid columns those outputs read.
    const lx0 = ax.start[ox0];
    const lx1 = ax.start[ox1 - 1] + ax.size[ox1 - 1];
    fillColumnBits(columnBits, mask.runs, lx0, lx1);

    const plane = at * SIDE * SIDE;
    const gap = height - (oy1 - oy0);
    let n = 0;
    let value = BACKGROUND;
    let runStart = 0;
    let area = 0;
    let minX = width;
    let maxX = -1;
    let minY = height;
    let maxY = -1;

    const rg0 = rowsAxis.groupOf[oy0];
    const rg1 = rowsAxis.groupOf[oy1 - 1];
    const colFirst = colsAxis.first;
    const yStart = ay.start;
    const ySize = ay.size;
    const yWeights = ay.weights;
    const yTaps = ay.maxSize;
    const xStart = ax.start;
    const xSize = ax.size;
    const xWeights = ax.weights;
    const xTaps = ax.maxSize;
    const sFrom = segFrom;
    const sTo = segTo;
    const sState = segState;
    const h = height;
    let out = counts;
    const cg0 = colsAxis.groupOf[ox0];
    let segs = 0;
    for (let cg = cg0; cg <= colsAxis.groupOf[ox1 - 1]; cg++) {
      const gx0 = colFirst[cg];
      const gx1 = colFirst[cg + 1];
      const sx = xStart[gx0];
      const nx = xSize[gx0];
      // Neighbouring windows often have the same row sets (a mask's sides change every few
      // columns): then their segments are the same too.
      if (windowRows(columnBits, sx - lx0, nx, every, some) || cg === cg0) segs = rowSegments(every, some, rowsAxis, rg0, rg1 + 1, sFrom, sTo, sState);

      for (let ox = gx0; ox < gx1; ox++) {
        const col = ox * h;
        const kx = ox * xTaps;
        let columnArea = 0;
        for (let s = 0; s < segs; s++) {
          const from = sFrom[s];
          const to = sTo[s];
          const state = sState[s];
          if (state !== MIXED) {
            if (state !== value) {
              if (n === out.length) out = counts = grow(out);
              out[n++] = col + from - runStart;
              runStart = col + from;
              value = state;
            }
            if (state === FOREGROUND) {
              columnArea += to - from;
              if (from < minY) minY = from;
              if (to - 1 > maxY) maxY = to - 1;
            }
            continue;
          }
          // Width pass then height pass, each summed from 0 in tap order, as torch does. In the usual
          // upsampling case (2×2 windows) consecutive rows share input rows: their width-pass sums
          // are kept (h0, h1 for input rows `cached`, `cached`+1), same values as recomputing them.
          const wx0 = nx === 2 ? xWeights[kx] : 0;
          const wx1 = nx === 2 ? xWeights[kx + 1] : 0;
          let cached = -2;
          let h0 = 0;
          let h1 = 0;
          for (let oy = from; oy < to; oy++) {
            const ky = oy * yTaps;
            const y = yStart[oy];
            let acc = 0;
            if (nx === 2 && ySize[oy] === 2) {
              if (y !== cached) {
                if (y === cached + 1) {
                  h0 = h1;
                } else {
                  const top = plane + y * SIDE + sx;
                  h0 = wx0 * logits[top] + wx1 * logits[top + 1];
                }
                const bottom = plane + (y + 1) * SIDE + sx;
                h1 = wx0 * logits[bottom] + wx1 * logits[bottom + 1];
                cached = y;
              }
              acc = yWeights[ky] * h0 + yWeights[ky + 1] * h1;
            } else {
              const src = plane + y * SIDE + sx;
              for (let j = 0; j < ySize[oy]; j++) {
                const row = src + j * SIDE;
                let sum = 0;
                for (let i = 0; i < nx; i++) sum += xWeights[kx + i] * logits[row + i];
                acc += yWeights[ky + j] * sum;
              }
            }
            const bit = acc > 0 ? FOREGROUND : BACKGROUND;
            if (bit !== value) {
              if (n === out.length) out = counts = grow(out);
              out[n++] = col + oy - runStart;
              runStart = col + oy;
              value = bit;
            }
            if (bit === FOREGROUND) {
              columnArea++;
              if (oy < minY) minY = oy;
              if (oy > maxY) maxY = oy;
            }
          }
        }
        if (columnArea > 0) {
          area += columnArea;
          if (ox < minX) minX = ox;
          maxX = ox;
        }
        // Rows outside the window are background: a foreground run ends at the window's bottom.
        if (value === FOREGROUND && gap > 0) {
          if (n === out.length) out = counts = grow(out);
          out[n++] = col + oy1 - runStart;
          runStart = col + oy1;
          value = BACKGROUND;
        }
      }
    }

    if (area === 0) return 0;
    if (n + 2 > out.length) out = counts = grow(out);
    if (value === FOREGROUND) {
      out[n++] = ox1 * h - runStart;
      runStart = ox1 * h;
    }
    // A mask that ends on the last pixel has no trailing background run (as pycocotools).
    if (runStart < h * width) out[n++] = h * width - runStart;
    drawn.area = area;
    drawn.box = [minX, minY, maxX, maxY];
    return n;
  }

  function render(logits: LowResLogits, mask: LowResMask, at = mask.index): FullResMask {
    const n = draw(logits, mask, at);
    if (n === 0) return empty();
    const runs = counts.subarray(0, n);
    return { rle: { size: [height, width], counts: countsToString(runs) }, ends: runEnds(runs), area: drawn.area, box: drawn.box };
  }

  function renderRle(logits: LowResLogits, mask: LowResMask, at = mask.index): Rle {
    const n = draw(logits, mask, at);
    return n === 0 ? emptyRle : { size: [height, width], counts: countsToString(counts.subarray(0, n)) };
  }

  return { height, width, render, renderRle };
}

/** bits[(x − lx0)·WORDS + (y >> 5)] bit (y & 31) = cell (y, x) is positive, for columns lx0 … lx1−1. */
function fillColumnBits(bits: Int32Array, runs: Int32Array, lx0: number, lx1: number): void {
  // Each run flips its row's bit where it starts and where it ends; a running XOR along the
  // columns then gives every column's set: work per run and per column, not per cell.
  const size = (lx1 - lx0) * WORDS;
  bits.fill(0, 0, size + WORDS);
  for (let r = 0; r < runs.length; r += 3) {
    const y = runs[r];
    const bit = 1 << (y & 31);
    const w = y >> 5;
    bits[(runs[r + 1] - lx0) * WORDS + w] ^= bit;
    bits[(runs[r + 2] - lx0) * WORDS + w] ^= bit;
  }
  for (let p = WORDS; p < size; p++) bits[p] ^= bits[p - WORDS];
}

/**
 * Rows where every / some of the `count` columns from `first` (of the column bit sets) is
 * positive, written over the previous window's; true when they differ from those.
 */
function windowRows(bits: Int32Array, first: number, count: number, every: Int32Array, some: Int32Array): boolean {
  let changed = false;
  for (let w = 0; w < WORDS; w++) {
    let all = -1;
    let any = 0;
    for (let c = 0, p = first * WORDS + w; c < count; c++, p += WORDS) {
      all &= bits[p];
      any |= bits[p];
    }
    if (every[w] !== all || some[w] !== any) {
      every[w] = all;
      some[w] = any;
      changed = true;
    }
  }
  return changed;
}

/**
 * Row groups g0 … g1−1 of one column window as segments of output rows with one state each:
 * foreground where every cell of the window is positive (its rows all in `every`), background
 * where none is (no row in `some`), mixed otherwise. Returns the number of segments.
 */
function rowSegments(
  every: Int32Array,
  some: Int32Array,
  rows: AxisGroups,
  g0: number,
  g1: number,
  from: Int32Array,
  to: Int32Array,
  state: Uint8Array,
): number {
  const { startsBefore, endsBy, first } = rows;
  let segs = 0;
  let g = g0;
  // Rows with a positive cell come in runs; the groups meeting a run are not background, and the
  // groups lying within a run of all-positive rows (a part of it) are foreground.
  for (let r = nextBit(some, 0, 0); r < LOW_RES; ) {
    const rEnd = nextBit(some, r, -1);
    const meetFrom = endsBy[r];
    if (meetFrom > g) {
      segs = pushSegment(from, to, state, segs, first[g], first[meetFrom], BACKGROUND);
      g = meetFrom;
    }
    for (let a = nextBit(every, r, 0); a < rEnd; ) {
      const aEnd = nextBit(every, a, -1);
      const insideFrom = startsBefore[a];
      const insideTo = endsBy[aEnd];
      if (insideFrom < insideTo) {
        if (insideFrom > g) segs = pushSegment(from, to, state, segs, first[g], first[insideFrom], MIXED);
        segs = pushSegment(from, to, state, segs, first[insideFrom], first[insideTo], FOREGROUND);
        g = insideTo;
      }
      a = nextBit(every, aEnd, 0);
    }
    const meetTo = startsBefore[rEnd];
    if (meetTo > g) {
      segs = pushSegment(from, to, state, segs, first[g], first[meetTo], MIXED);
      g = meetTo;
    }
    r = nextBit(some, rEnd, 0);
  }
  if (g1 > g) segs = pushSegment(from, to, state, segs, first[g], first[g1], BACKGROUND);
  return segs;
}

/** Appends output rows start … end−1 in state s (merged into the last segment if it has s). */
function pushSegment(from: Int32Array, to: Int32Array, state: Uint8Array, segs: number, start: number, end: number, s: number): number {
  if (segs > 0 && state[segs - 1] === s) {
    to[segs - 1] = end;
    return segs;
  }
  from[segs] = start;
  to[segs] = end;
  state[segs] = s;
  return segs + 1;
}

/** First row ≥ from whose bit differs from `flip` (0: first set bit, −1: first clear bit); LOW_RES if none. */
function nextBit(bits: Int32Array, from: number, flip: number): number {
  let w = from >> 5;
  if (w >= WORDS) return LOW_RES;
  let word = (bits[w] ^ flip) & (-1 << (from & 31));
  while (word === 0) {
    if (++w === WORDS) return LOW_RES;
    word = bits[w] ^ flip;
  }
  return (w << 5) + 31 - Math.clz32(word & -word);
}

function grow(counts: Uint32Array): Uint32Array {
  const out = new Uint32Array(counts.length * 2);
  out.set(counts);
  return out;
}
