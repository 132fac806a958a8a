// The model outputs of one image that both pipeline paths start from.
import { createMaskPooler } from './embedding.ts';
import type { PatchFeatures } from './embedding.ts';
import { ShapeMismatchError } from './errors.ts';
import type { LowResMask } from './low-res-mask.ts';
import { lowResPlanes } from './low-res-planes.ts';
import type { LowResInput, LowResPlanes } from './low-res-planes.ts';

export interface ProposalInput {
  /**
   * Low-res logits of the chosen mask of each proposal, [n,256,256], or the compact form a decoder
   * graph returns (signs and edge logits: compact-low-res.ts), which decides the same masks.
   */
  lowResLogits: LowResInput;
  /** SAM predicted IoU q of each proposal (float32 values). */
  iou: ArrayLike<number>;
  /** Target patch features [rows, cols, D]. */
  features: PatchFeatures;
  /**
   * [n, D] unit mask embeddings already pooled from `features` (by the device: the GPU node's
   * decoder graph), used instead of pooling here; rows of empty masks are ignored.
   */
  embeddings?: Float32Array;
  /** Original image size: masks and boxes are reported at this resolution. */
  height: number;
  width: number;
}

/** The proposals' low-res masks, after checking that they and the IoUs agree. */
export function checkedPlanes(input: ProposalInput): LowResPlanes {
  const planes = lowResPlanes(input.lowResLogits);
  if (input.iou.length !== planes.count) throw new ShapeMismatchError(`${input.iou.length} IoUs for ${planes.count} proposals`);
  return planes;
}

/**
 * The unit embedding of proposal `mask.index`: the device's (`input.embeddings`) when given, else
 * pooled here; null for an empty mask. The device's are views into `input.embeddings`, not copies
 * (a thousand 4 KB copies per image were a tenth of the host's time): nothing writes into them.
 */
export function maskEmbedder(input: ProposalInput, n: number): (mask: LowResMask) => Float32Array | null {
  const pooled = input.embeddings;
  if (!pooled) {
    const pooler = createMaskPooler(input.features);
    return (mask) => pooler.embed(mask);
  }
  const dim = input.features.dim;
  if (pooled.length !== n * dim) throw new ShapeMismatchError(`${pooled.length} embedding values for ${n} proposals of dimension ${dim}`);
  return (mask) => (mask.area === 0 ? null : pooled.subarray(mask.index * dim, (mask.index + 1) * dim));
}
