// The host half of the compact decoder outputs (decoder-best-mask.ts, `compact`): the kept
// prompts' 256×256 planes rebuilt from their sign bits and edge logits. Every cell away from a
// sign change becomes ±1, which decides the same masks, areas, boxes, embeddings and
// full-resolution masks as its real logit (see decoder-best-mask.ts), at a fraction of the bytes
// copied out of the runtime.
import { ModelFormatError } from './errors.ts';

const CELLS = 256 * 256;
const BYTES = CELLS / 8;

/**
 * Proposals chosen in the graph (best of 3 by IoU, kept when IoU > threshold), compact: the
 * planes are rebuilt where they are used (rebuildPlanes), once, into the final buffer.
 */
export interface BestMasks {
  count: number;
  /** Predicted IoU of each kept prompt. */
  iou: Float32Array;
  /** Index of each kept prompt among the prompts given. */
  prompt: Int32Array;
  /** [count, 256, 32] packed signs (logit > 0), bit b of byte j = cell x 8j+b. */
  sign: Uint8Array;
  /** Flat indices into [count, 256, 256] of the cells whose logits are given. */
  edgeCell: Int32Array;
  edgeLogit: Float32Array;
  /** [count, dim] unit mask embeddings pooled in the graph (NaN rows for empty masks). */
  embedding: Float32Array;
  dim: number;
  /** Bytes the runtime handed out for these results (what a GPU copies to the host). */
  bytesOut: number;
}

/** Every buffer of a BestMasks, to transfer it between threads. */
export function bestMasksBuffers(b: BestMasks): ArrayBuffer[] {
  return [b.iou, b.prompt, b.sign, b.edgeCell, b.edgeLogit, b.embedding].map((a) => a.buffer as ArrayBuffer);
}

/** Writes `count` planes at `into[at·65536 …]` from packed signs and the edge cells' logits. */
export function rebuildPlanes(into: Float32Array, at: number, { count, sign, edgeCell, edgeLogit }: Pick<BestMasks, 'count' | 'sign' | 'edgeCell' | 'edgeLogit'>): void {
  if (sign.length !== count * BYTES || edgeCell.length !== edgeLogit.length) {
    throw new ModelFormatError(`compact decoder outputs do not agree: ${sign.length} sign bytes for ${count} masks, ${edgeCell.length} edge cells, ${edgeLogit.length} edge logits`);
  }
  const base = at * CELLS;
  // Runs of all-background or all-foreground bytes (most of a plane) become one native fill.
  let i = 0;
  while (i < sign.length) {
    const byte = sign[i];
    if (byte === 0 || byte === 255) {
      let j = i + 1;
      while (j < sign.length && sign[j] === byte) j++;
      into.fill(byte === 0 ? -1 : 1, base + i * 8, base + j * 8);
      i = j;
      continue;
    }
    const o = base + i * 8;
    for (let b = 0; b < 8; b++) into[o + b] = (byte >> b) & 1 ? 1 : -1;
    i++;
  }
  const end = count * CELLS;
  for (let e = 0; e < edgeCell.length; e++) {
    const c = edgeCell[e];
    if (!(c >= 0 && c < end)) throw new ModelFormatError(`compact decoder output: edge cell ${c} outside ${count} masks`);
    into[base + c] = edgeLogit[e];
  }
}
