// One pass over a proposal's 256×256 low-res logits: the binary mask B = logit > 0 as row runs,
// with its area and SAM's inclusive box (method.md §3.4 step 1, §3.5 step 1).
import type { BoxXyxy } from '../types.ts';
import { ShapeMismatchError } from './errors.ts';

/** SAM's low-res mask grid side. */
export const LOW_RES = 256;
const PLANE = LOW_RES * LOW_RES;

/**
 * Low-res logits of n proposals, row-major [n,256,256]. Any positive scale of the true logits is
 * accepted (only signs and linear resampling are used), e.g. int8 holding logit·16.
 */
export type LowResLogits = Int8Array | Float32Array;

export interface LowResMask {
  /** Proposal index in the logits array. */
  index: number;
  /** Number of cells with logit > 0. */
  area: number;
  /** Inclusive box of those cells; [0,0,0,0] when the mask is empty. */
  box: BoxXyxy;
  /** Runs of positive cells, row by row: (y, x0, x1) with x1 exclusive. */
  runs: Int32Array;
}

export function proposalCount(logits: LowResLogits): number {
  if (logits.length % PLANE !== 0) {
    throw new ShapeMismatchError(`low-res logits have ${logits.length} values, not a multiple of 256×256`);
  }
  return logits.length / PLANE;
}

/** Runs of the growable scratch buffer are copied out, so masks never share storage. */
let scratch = new Int32Array(3 * 1024);

export function scanLowResMask(logits: LowResLogits, index: number): LowResMask {
  const base = index * PLANE;
  if (!(index >= 0 && base + PLANE <= logits.length)) {
    throw new ShapeMismatchError(`proposal ${index} is outside the low-res logits`);
  }
  let count = 0;
  let area = 0;
  let x1 = LOW_RES;
  let x2 = -1;
  let y1 = -1;
  let y2 = -1;
  const { view, perWord, signs } = signWords(logits);
  const wordsPerRow = LOW_RES / perWord;
  for (let y = 0; y < LOW_RES; y++) {
    const row = base + y * LOW_RES;
    if (view !== null) {
      // Most rows are all negative: test them a word at a time, without a branch per cell.
      let all = -1;
      const w0 = row / perWord;
      for (let k = 0; k < wordsPerRow; k++) all &= view[w0 + k];
      if ((all & signs) === signs) continue;
    }
    let x = 0;
    while (x < LOW_RES) {
      while (x < LOW_RES && !(logits[row + x] > 0)) x++;
      if (x === LOW_RES) break;
      const start = x;
      while (x < LOW_RES && logits[row + x] > 0) x++;
      if (3 * count + 3 > scratch.length) {
        const grown = new Int32Array(scratch.length * 2);
        grown.set(scratch);
        scratch = grown;
      }
      scratch[3 * count] = y;
      scratch[3 * count + 1] = start;
      scratch[3 * count + 2] = x;
      count++;
      area += x - start;
      if (y1 < 0) y1 = y;
      y2 = y;
      if (start < x1) x1 = start;
      if (x - 1 > x2) x2 = x - 1;
    }
  }
  const box: BoxXyxy = area === 0 ? [0, 0, 0, 0] : [x1, y1, x2, y2];
  return { index, area, box, runs: scratch.slice(0, 3 * count) };
}

interface SignWords {
  /** The logits' bytes as int32 words, or null when they are not 4-byte aligned. */
  view: Int32Array | null;
  perWord: number;
  /** The sign bits of every value in a word. */
  signs: number;
}

function signWords(logits: LowResLogits): SignWords {
  const perWord = logits instanceof Int8Array ? 4 : 1;
  const signs = perWord === 4 ? 0x80808080 | 0 : 0x80000000 | 0;
  const aligned = logits.byteOffset % 4 === 0;
  const view = aligned ? new Int32Array(logits.buffer, logits.byteOffset, logits.byteLength >> 2) : null;
  return { view, perWord, signs };
}
