// Which of a decoder's mask outputs are SAM's three multimask tokens (1..3), and the best of them.
// The public exports return only those three; a graph that also returns token 0 puts it first.
import { ModelFormatError } from '../models/errors.ts';
import type { Decoded } from '../models/index.ts';

export const LOW_RES_CELLS = 256 * 256;

/** Index of the first multimask token among K outputs per prompt. */
export function firstMultimaskToken(maskTokens: number): number {
  if (maskTokens === 3) return 0;
  if (maskTokens === 4) return 1;
  throw new ModelFormatError(`the SAM2 decoder returns ${maskTokens} masks per prompt; refseg needs the 3 multimask outputs (optionally after token 0)`);
}

/**
 * Output index (into the prompt's K outputs) of the multimask token with the highest predicted
 * IoU, the first on ties (official `1 + argmax(iou[1:4])`).
 */
export function bestMultimask(decoded: Decoded, prompt: number): number {
  const K = decoded.maskTokens;
  const first = firstMultimaskToken(K);
  let best = first;
  for (let t = first + 1; t < first + 3; t++) if (decoded.iou[prompt * K + t] > decoded.iou[prompt * K + best]) best = t;
  return best;
}

/** The 256×256 logits of output `token` of `prompt` (a view into the decoder output). */
export function maskPlane(decoded: Decoded, prompt: number, token: number): Float32Array {
  const start = (prompt * decoded.maskTokens + token) * LOW_RES_CELLS;
  return decoded.logits.subarray(start, start + LOW_RES_CELLS);
}

/** Growable [n, 256, 256] logits buffer with the predicted IoU of each plane. */
export class LogitsCollector {
  private logits = new Float32Array(16 * LOW_RES_CELLS);
  private ious = new Float32Array(16);
  count = 0;

  push(plane: Float32Array, iou: number): void {
    if (this.count === this.ious.length) {
      const logits = new Float32Array(this.logits.length * 2);
      logits.set(this.logits);
      this.logits = logits;
      const ious = new Float32Array(this.ious.length * 2);
      ious.set(this.ious);
      this.ious = ious;
    }
    this.logits.set(plane, this.count * LOW_RES_CELLS);
    this.ious[this.count] = iou;
    this.count++;
  }

  /** Plane `i` (a view). */
  plane(i: number): Float32Array {
    return this.logits.subarray(i * LOW_RES_CELLS, (i + 1) * LOW_RES_CELLS);
  }

  iou(i: number): number {
    return this.ious[i];
  }

  /** The planes in the given order, or as pushed (then views, without a copy), as [n, 256, 256]. */
  take(order?: ArrayLike<number>): { logits: Float32Array; iou: Float32Array } {
    if (order === undefined) {
      return { logits: this.logits.subarray(0, this.count * LOW_RES_CELLS), iou: this.ious.subarray(0, this.count) };
    }
    const logits = new Float32Array(order.length * LOW_RES_CELLS);
    const iou = new Float32Array(order.length);
    for (let k = 0; k < order.length; k++) {
      logits.set(this.plane(order[k]), k * LOW_RES_CELLS);
      iou[k] = this.ious[order[k]];
    }
    return { logits, iou };
  }
}
