// Runs, area and inclusive box of a compressed RLE in one pass over its string: what the matcher
// needs of every received mask. Equal to rleCounts then countsArea and countsToBbox (pycocotools
// semantics); any string those refuse goes through them, so errors are theirs too.
import type { BoxXyxy, Rle } from '../types.ts';
import { countsArea, countsToBbox } from './measure.ts';
import { rleCounts, sizeOf } from './rle-counts.ts';
import { Scratch, u32 } from './scratch.ts';

export interface MeasuredRuns {
  /** The uncompressed runs: a fresh array the caller owns, or a view into the arena it gave. */
  runs: Uint32Array;
  /** Foreground pixels. */
  area: number;
  /** Inclusive box of the foreground; [0,0,0,0] when the area is 0. */
  box: BoxXyxy;
}

const CHAR_BASE = 48;
const MAX_CHARS_PER_VALUE = 7;
const MAX_COUNT = 0xffffffff;
const parsed = new Scratch(u32);
/** Values per arena chunk (256 KiB): a few chunks hold an image's candidate masks. */
const CHUNK = 1 << 16;

/**
 * Backing store for the runs of many masks decoded in one go: each mask's runs are a view into a
 * shared chunk, so a thousand masks cost a few allocations instead of a thousand. Chunks are never
 * reused, so views stay valid for as long as they are held.
 */
export class RunArena {
  #chunk = new Uint32Array(0);
  #used = 0;

  /** A chunk with room for n values from offset `at`. */
  room(n: number): { chunk: Uint32Array; at: number } {
    if (this.#used + n > this.#chunk.length) {
      this.#chunk = new Uint32Array(Math.max(CHUNK, n));
      this.#used = 0;
    }
    return { chunk: this.#chunk, at: this.#used };
  }

  /** Keeps the first m values of the last room. */
  keep(m: number): Uint32Array {
    const view = this.#chunk.subarray(this.#used, this.#used + m);
    this.#used += m;
    return view;
  }
}

export function measuredRuns(rle: Rle, arena?: RunArena): MeasuredRuns {
  const [h, w] = sizeOf(rle);
  const s = rle.counts;
  const n = s.length;
  // A string of n chars holds at most n values.
  const { chunk: out, at: base } = arena === undefined ? { chunk: parsed.atLeast(n), at: 0 } : arena.room(n);
  let m = 0;
  let p = 0;
  let at = 0;
  let area = 0;
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let ok = true;
  // floor(pixel / h) as a product: a division per run is most of the cost otherwise.
  const perColumn = 1 / h;
  while (p < n) {
    const start = p;
    // Up to 6 chars (30 bits) in int32; a 7th char (a value of 2^30 or more) is left to rleCounts.
    let x = 0;
    let shift = 0;
    let c: number;
    do {
      c = p === n || p - start === MAX_CHARS_PER_VALUE - 1 ? -1 : s.charCodeAt(p) - CHAR_BASE;
      if (c < 0 || c > 63) break;
      x |= (c & 0x1f) << shift;
      shift += 5;
      p++;
    } while (c & 0x20);
    if (c < 0 || c > 63) {
      ok = false;
      break;
    }
    if (c & 0x10) x -= 1 << shift;
    if (m > 2) x += out[base + m - 2];
    if (x < 0 || x > MAX_COUNT) {
      ok = false;
      break;
    }
    out[base + m] = x;
    // Foreground runs (odd positions) of non-zero length, as countsToBbox visits them; a last
    // run at an even position is background, which countsToBbox's even cut skips anyway.
    if ((m & 1) === 1 && x !== 0) {
      const end = at + x;
      const xStart = column(at, h, perColumn);
      const xEnd = column(end - 1, h, perColumn);
      if (xStart < xs) xs = xStart;
      if (xEnd > xe) xe = xEnd;
      if (xStart < xEnd) {
        ys = 0;
        ye = h - 1;
      } else {
        const yStart = at - xStart * h;
        const yEnd = end - 1 - xEnd * h;
        if (yStart < ys) ys = yStart;
        if (yEnd > ye) ye = yEnd;
      }
      area += x;
    }
    at += x;
    m++;
  }
  if (!ok || at !== h * w) {
    if (arena === undefined) parsed.release();
    // Not a valid encoding of this size: rleCounts says why (and throws).
    const runs = rleCounts(rle);
    const a = countsArea(runs);
    const [bx, by, bw, bh] = countsToBbox(runs, h, w);
    return { runs, area: a, box: a === 0 ? [0, 0, 0, 0] : [bx, by, bx + bw - 1, by + bh - 1] };
  }
  let runs: Uint32Array;
  if (arena === undefined) {
    runs = out.slice(0, m);
    parsed.release();
  } else runs = arena.keep(m);
  return { runs, area, box: area === 0 ? [0, 0, 0, 0] : [xs, ys, xe, ye] };
}

/** floor(pixel / h) for integers below 2^32: the rounded product is off by at most one. */
function column(pixel: number, h: number, perColumn: number): number {
  const col = Math.floor(pixel * perColumn);
  if (col * h > pixel) return col - 1;
  return pixel - col * h >= h ? col + 1 : col;
}
