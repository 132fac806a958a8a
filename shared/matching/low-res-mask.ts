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
/** Per row, one bit per chunk of CHUNK_WORDS words that may hold a value > 0. */
const rowChunks = new Int32Array(LOW_RES);
/** markChunks reads a chunk as this many loads, written out. */
const CHUNK_WORDS = 8;

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
  // Reading every logit once is most of the cost: the plane is read as int32 words, and only the
  // chunks of rows whose words do not all have their sign bits set are read again cell by cell.
  const perWord = logits.BYTES_PER_ELEMENT === 1 ? 4 : 1;
  const cellsPerChunk = CHUNK_WORDS * perWord;
  if (logits.byteOffset % 4 === 0) {
    const words = new Int32Array(logits.buffer, logits.byteOffset, logits.byteLength >> 2);
    markChunks(words, base / perWord, LOW_RES / cellsPerChunk, perWord === 4 ? 0x80808080 | 0 : 0x80000000 | 0, rowChunks);
  } else {
    // No word view of an unaligned int8 array: every cell is read.
    rowChunks.fill(-1 >>> (32 - LOW_RES / cellsPerChunk));
  }
  for (let y = 0; y < LOW_RES; y++) {
    const chunks = rowChunks[y];
    if (chunks === 0) continue;
    const row = base + y * LOW_RES;
    // From the first to the last chunk that may hold a positive cell.
    let x = (31 - Math.clz32(chunks & -chunks)) * cellsPerChunk;
    const end = (32 - Math.clz32(chunks)) * cellsPerChunk;
    while (x < end) {
      while (x < end && !(logits[row + x] > 0)) x++;
      if (x === end) break;
      const start = x;
      while (x < end && logits[row + x] > 0) x++;
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

/**
 * out[y] bit c = 1 unless all CHUNK_WORDS words of chunk c of row y have every sign bit of `signs`
 * set (then none of its values is > 0; zeros and NaNs leave the bit on and are read cell by cell).
 */
function markChunks(words: Int32Array, from: number, chunksPerRow: number, signs: number, out: Int32Array): void {
  // `| 0` keeps the index arithmetic in int32, which spares V8 an overflow check per load.
  let k = from | 0;
  for (let y = 0; y < LOW_RES; y++) {
    let bits = 0;
    for (let c = 0; c < chunksPerRow; c++) {
      const all =
        words[k] & words[(k + 1) | 0] & (words[(k + 2) | 0] & words[(k + 3) | 0]) &
        (words[(k + 4) | 0] & words[(k + 5) | 0] & (words[(k + 6) | 0] & words[(k + 7) | 0]));
      if ((all & signs) !== signs) bits |= 1 << c;
      k = (k + CHUNK_WORDS) | 0;
    }
    out[y] = bits;
  }
}
