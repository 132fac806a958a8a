// Run ends, area and inclusive box of a compressed RLE in one pass over its string: what the
// matcher needs of every received mask (its overlap walks read run ends). Equal to rleCounts then
// runEnds, countsArea and countsToBbox (pycocotools semantics); any string those refuse goes
// through them, so errors are theirs too.
import type { BoxXyxy, Rle } from '../types.ts';
import { CHAR_BASE as STRING_CHAR_BASE, MAX_CHARS_PER_VALUE as STRING_MAX_CHARS, MAX_COUNT as STRING_MAX_COUNT } from './counts-string.ts';
import { RleFormatError } from './errors.ts';
import { MAX_WALK_PIXELS, runEnds } from './intersect.ts';
import { countsArea, countsToBbox } from './measure.ts';
import { rleCounts, sizeOf } from './rle-counts.ts';
import { i32, Scratch } from './scratch.ts';

export interface MeasuredRuns {
  /**
   * The uncompressed runs as run ends (runEnds: ends[k] = runs[0] + … + runs[k]): a fresh array
   * the caller owns, or a view into the arena it gave.
   */
  ends: Int32Array;
  /** Foreground pixels. */
  area: number;
  /** Inclusive box of the foreground; [0,0,0,0] when the area is 0. */
  box: BoxXyxy;
}

// Module-local copies of the format's constants (counts-string.ts) for the inner loop: after
// transpilation an imported binding can be a getter call.
const CHAR_BASE = STRING_CHAR_BASE;
const MAX_CHARS_PER_VALUE = STRING_MAX_CHARS;
const MAX_COUNT = STRING_MAX_COUNT;
const parsed = new Scratch(i32);
/** Values per arena chunk (256 KiB): a few chunks hold an image's candidate masks. */
const CHUNK = 1 << 16;

/** Chunk values an arena keeps across rewinds (4 MiB); beyond that, chunks are dropped. */
const KEEP = 1 << 20;

/**
 * Backing store for the run ends of many masks decoded in one go: each mask's are a view into a
 * shared chunk, so a thousand masks cost a few allocations instead of a thousand. Views stay valid
 * until `rewind`, which lets a caller that decodes a request's masks and drops them before
 * the next request reuse the chunks (no allocation, no zeroing).
 */
export class RunArena {
  #chunks: Int32Array[] = [];
  /** Index of the chunk in use (−1 before the first). */
  #current = -1;
  #used = 0;

  /** A chunk with room for n values from offset `at`. */
  room(n: number): { chunk: Int32Array; at: number } {
    if (this.#current < 0 || this.#used + n > this.#chunks[this.#current].length) {
      this.#current++;
      this.#used = 0;
      if (this.#current === this.#chunks.length || this.#chunks[this.#current].length < n) {
        this.#chunks.splice(this.#current, 0, new Int32Array(Math.max(CHUNK, n)));
      }
    }
    return { chunk: this.#chunks[this.#current], at: this.#used };
  }

  /** Keeps the first m values of the last room. */
  keep(m: number): Int32Array {
    const chunk = this.#chunks[this.#current];
    const view = chunk.subarray(this.#used, this.#used + m);
    this.#used += m;
    return view;
  }

  /** Makes all the room again: every view handed out before is overwritten by later decoding. */
  rewind(): void {
    let kept = 0;
    this.#chunks = this.#chunks.filter((c) => (kept += c.length) <= KEEP);
    this.#current = -1;
    this.#used = 0;
  }
}

/** Masks of at most MAX_WALK_PIXELS pixels (their run ends are int32); larger ones are refused. */
export function measuredRuns(rle: Rle, arena?: RunArena): MeasuredRuns {
  const [h, w] = sizeOf(rle);
  if (h * w > MAX_WALK_PIXELS) throw new RleFormatError(`mask size ${h}×${w} has more than ${MAX_WALK_PIXELS} pixels`);
  const s = rle.counts;
  const n = s.length;
  // A string of n chars holds at most n values.
  const { chunk: out, at: base } = arena === undefined ? { chunk: parsed.atLeast(n), at: 0 } : arena.room(n);
  let m = 0;
  let p = 0;
  let at = 0;
  let area = 0;
  // The two values before this one (a value is a difference to the one two back).
  let back1 = 0;
  let back2 = 0;
  // Foreground runs come in pixel order, so the box's columns are those of the first and last
  // foreground pixels; its rows need each run's rows until one run crosses a column.
  let first = -1;
  let last = 0;
  let ys = h;
  let ye = 0;
  let crosses = false;
  // h · the column of the last foreground start (columns are met in order: mostly one step on).
  let columnBase = 0;
  const perColumn = 1 / h;
  let ok = true;
  while (p < n) {
    // Up to 6 chars (30 bits) in int32; a 7th char (a value of 2^30 or more) is left to rleCounts.
    let x = 0;
    let shift = 0;
    let c = s.charCodeAt(p) - CHAR_BASE;
    // Most values are one char (a run within a few pixels of the one two back).
    if (c >= 0 && c < 0x20) {
      x = c;
      shift = 5;
      p++;
    } else {
      const stop = p + MAX_CHARS_PER_VALUE - 1 < n ? p + MAX_CHARS_PER_VALUE - 1 : n;
      for (;;) {
        if (p === stop) {
          ok = false;
          break;
        }
        c = s.charCodeAt(p++) - CHAR_BASE;
        if (c < 0 || c > 63) {
          ok = false;
          break;
        }
        x |= (c & 0x1f) << shift;
        shift += 5;
        if ((c & 0x20) === 0) break;
      }
    }
    if (!ok) break;
    if (c & 0x10) x -= 1 << shift;
    if (m > 2) x += back2;
    if (x < 0 || x > MAX_COUNT) {
      ok = false;
      break;
    }
    back2 = back1;
    back1 = x;
    // Foreground runs (odd positions) of non-zero length, as countsToBbox visits them; a last
    // run at an even position is background, which countsToBbox's even cut skips anyway.
    if ((m & 1) === 1 && x !== 0) {
      if (first < 0) first = at;
      last = at + x - 1;
      area += x;
      if (!crosses) {
        if (at - columnBase >= h) columnBase = at - columnBase < 2 * h ? columnBase + h : column(at, h, perColumn) * h;
        const yStart = at - columnBase;
        const yEnd = last - columnBase;
        if (yEnd >= h) crosses = true;
        else {
          if (yStart < ys) ys = yStart;
          if (yEnd > ye) ye = yEnd;
        }
      }
    }
    at += x;
    out[base + m] = at;
    m++;
  }
  if (!ok || at !== h * w) {
    if (arena === undefined) parsed.release();
    // Not a valid encoding of this size: rleCounts says why (and throws).
    const runs = rleCounts(rle);
    const a = countsArea(runs);
    const [bx, by, bw, bh] = countsToBbox(runs, h, w);
    return { ends: runEnds(runs), area: a, box: a === 0 ? [0, 0, 0, 0] : [bx, by, bx + bw - 1, by + bh - 1] };
  }
  let ends: Int32Array;
  if (arena === undefined) {
    ends = out.slice(0, m);
    parsed.release();
  } else ends = arena.keep(m);
  if (area === 0) return { ends, area, box: [0, 0, 0, 0] };
  return { ends, area, box: [column(first, h, perColumn), crosses ? 0 : ys, column(last, h, perColumn), crosses ? h - 1 : ye] };
}

/** floor(pixel / h) for integers below 2^32: the rounded product is off by at most one. */
function column(pixel: number, h: number, perColumn: number): number {
  const col = Math.floor(pixel * perColumn);
  if (col * h > pixel) return col - 1;
  return pixel - col * h >= h ? col + 1 : col;
}
