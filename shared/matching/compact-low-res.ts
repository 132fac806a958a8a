// Low-res masks in the compact form a decoder graph hands out (gpu-node/models/decoder-best-mask.ts):
// per mask the 256×256 signs as bits, plus the true logits of the cells near a sign change only.
// Extraction reads this form directly: masks, areas and boxes come from the bits (a 32nd of the
// bytes of the logits), and the full-resolution resize reads logits only where its input window is
// mixed, which are edge cells by construction (the graph's edge radius is the window's span). So no
// [n, 256, 256] plane is ever rebuilt on the host.
import { ShapeMismatchError } from './errors.ts';
import { LOW_RES } from './low-res-mask.ts';
import type { LowResMask } from './low-res-mask.ts';

const CELLS = LOW_RES * LOW_RES;
/** 32-bit words of one row's signs. */
const ROW_WORDS = LOW_RES / 32;

/** One decoder batch's kept masks, compact. */
export interface CompactLowRes {
  count: number;
  /** [count, 256, 32] packed signs (logit > 0): bit b of byte j of a row = cell x 8j+b. */
  sign: Uint8Array;
  /** Flat indices into [count, 256, 256], ascending, of the cells whose logits are given. */
  edgeCell: Int32Array;
  edgeLogit: Float32Array;
}

/**
 * Radius [ry, rx] in 256-grid cells that the full-resolution resize to height × width needs:
 * per axis the span of one output pixel's input window (torch's antialiased bilinear: support 1
 * when upsampling, 256/size when downsampling; method.md §7.3 rule 5), plus one.
 */
export function edgeRadius(height: number, width: number): [number, number] {
  const axis = (size: number) => (size >= 256 ? 1 : Math.ceil((2 * 256) / size) + 1);
  return [axis(height), axis(width)];
}

/** Reads the masks of compact batches as one sequence: scan() from the sign bits, planeOf() for the resize. */
export interface CompactReader {
  count: number;
  scan(index: number): LowResMask;
  /**
   * A 256×256 plane holding mask `index`'s edge logits (other cells are never read by the
   * resize), valid until the next call.
   */
  planeOf(index: number): Float32Array;
}

/** The masks of `batches` (each as the decoder gave it) in order, without copying them into one. */
export function compactReader(batches: readonly CompactLowRes[]): CompactReader {
  const readers = batches.map(batchReader);
  const count = readers.reduce((n, r) => n + r.count, 0);
  const batchOf = new Int32Array(count);
  const firstOf = new Int32Array(readers.length);
  for (let b = 0, at = 0; b < readers.length; at += readers[b].count, b++) {
    batchOf.fill(b, at, at + readers[b].count);
    firstOf[b] = at;
  }
  const plane = new Float32Array(CELLS);
  let planeMask = -1;
  const checked = (index: number) => {
    if (!(Number.isInteger(index) && index >= 0 && index < count)) throw new ShapeMismatchError(`mask ${index} is outside ${count} compact masks`);
    return readers[batchOf[index]];
  };
  return {
    count,
    scan: (index) => checked(index).scan(index - firstOf[batchOf[index]], index),
    planeOf(index) {
      const reader = checked(index);
      if (planeMask === index) return plane;
      // The previous mask's edge cells go back to 0, so no value of another mask can be read.
      if (planeMask >= 0) readers[batchOf[planeMask]].writeEdges(plane, planeMask - firstOf[batchOf[planeMask]], false);
      reader.writeEdges(plane, index - firstOf[batchOf[index]], true);
      planeMask = index;
      return plane;
    },
  };
}

interface BatchReader {
  count: number;
  /** Mask `m` of the batch, numbered `index` in the sequence. */
  scan(m: number, index: number): LowResMask;
  /** Writes mask m's edge logits into `plane` (or zeros over them). */
  writeEdges(plane: Float32Array, m: number, values: boolean): void;
}

function batchReader(c: CompactLowRes): BatchReader {
  const { count, sign, edgeCell, edgeLogit } = c;
  if (!(Number.isSafeInteger(count) && count >= 0) || sign.length !== count * CELLS / 8 || edgeCell.length !== edgeLogit.length) {
    throw new ShapeMismatchError(`compact masks do not agree: ${sign.length} sign bytes for ${count} masks, ${edgeCell.length} edge cells, ${edgeLogit.length} edge logits`);
  }
  // Little-endian words: bit k of word w of a row is cell 32w + k.
  const words = sign.byteOffset % 4 === 0 ? new Int32Array(sign.buffer, sign.byteOffset, sign.length >> 2) : new Int32Array(sign.slice().buffer);
  const edgeStart = edgeOffsets(edgeCell, count);
  let runs: Int32Array = new Int32Array(3 * 1024);

  function scan(m: number, index: number): LowResMask {
    let n = 0;
    let area = 0;
    let x1 = LOW_RES;
    let x2 = -1;
    let y1 = -1;
    let y2 = -1;
    for (let y = 0, k = m * LOW_RES * ROW_WORDS; y < LOW_RES; y++, k += ROW_WORDS) {
      // Most rows of a mask are empty: one test of the whole row (ROW_WORDS = 8, written out).
      if ((words[k] | words[k + 1] | words[k + 2] | words[k + 3] | words[k + 4] | words[k + 5] | words[k + 6] | words[k + 7]) === 0) continue;
      let inRun = false;
      let start = 0;
      // One word past the row, all background, ends a run that reaches its last cell.
      for (let w = 0; w <= ROW_WORDS; w++) {
        const v = w < ROW_WORDS ? words[k + w] : 0;
        // A word that continues the current state holds no run boundary.
        if (v === (inRun ? -1 : 0)) continue;
        let from = 0;
        while (from < 32) {
          const t = (inRun ? ~v : v) & (-1 << from);
          if (t === 0) break;
          const b = 31 - Math.clz32(t & -t);
          const x = 32 * w + b;
          if (inRun) {
            if (3 * n + 3 > runs.length) runs = grow(runs);
            runs[3 * n] = y;
            runs[3 * n + 1] = start;
            runs[3 * n + 2] = x;
            n++;
            area += x - start;
            if (x - 1 > x2) x2 = x - 1;
          } else {
            start = x;
            if (x < x1) x1 = x;
          }
          inRun = !inRun;
          from = b + 1;
        }
      }
      if (y1 < 0) y1 = y;
      y2 = y;
    }
    return { index, area, box: area === 0 ? [0, 0, 0, 0] : [x1, y1, x2, y2], runs: runs.slice(0, 3 * n) };
  }

  function writeEdges(plane: Float32Array, m: number, values: boolean): void {
    const base = m * CELLS;
    for (let e = edgeStart[m]; e < edgeStart[m + 1]; e++) plane[edgeCell[e] - base] = values ? edgeLogit[e] : 0;
  }

  return { count, scan, writeEdges };
}

/** edgeStart[m] … edgeStart[m+1]−1: the edge entries of mask m; throws unless the cells ascend within range. */
function edgeOffsets(edgeCell: Int32Array, count: number): Int32Array {
  const start = new Int32Array(count + 1);
  const end = count * CELLS;
  let previous = -1;
  for (let e = 0; e < edgeCell.length; e++) {
    const c = edgeCell[e];
    if (!(c > previous && c < end)) throw new ShapeMismatchError(`compact masks: edge cell ${c} after ${previous} (cells must ascend, below ${end})`);
    start[((c / CELLS) | 0) + 1]++;
    previous = c;
  }
  for (let m = 0; m < count; m++) start[m + 1] += start[m];
  return start;
}

function grow(a: Int32Array): Int32Array {
  const out = new Int32Array(a.length * 2);
  out.set(a);
  return out;
}
