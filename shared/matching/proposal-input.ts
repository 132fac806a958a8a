// The model outputs of one image that both pipeline paths start from.
import { createMaskPooler } from './embedding.ts';
import type { PatchFeatures } from './embedding.ts';
import { ShapeMismatchError } from './errors.ts';
import { proposalCount } from './low-res-mask.ts';
import type { LowResLogits, LowResMask } from './low-res-mask.ts';

export interface ProposalInput {
  /** Low-res logits of the chosen mask of each proposal, [n,256,256]. */
  lowResLogits: LowResLogits;
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

/** Number of proposals, after checking that logits and IoUs agree. */
export function checkedProposalCount(input: ProposalInput): number {
  const n = proposalCount(input.lowResLogits);
  if (input.iou.length !== n) throw new ShapeMismatchError(`${input.iou.length} IoUs for ${n} proposals`);
  return n;
}

/**
 * The unit embedding of proposal `mask.index`: the device's (`input.embeddings`) when given, else
 * pooled here; null for an empty mask.
 */
export function maskEmbedder(input: ProposalInput, n: number): (mask: LowResMask) => Float32Array | null {
  const pooled = input.embeddings;
  if (!pooled) {
    const pooler = createMaskPooler(input.features);
    return (mask) => pooler.embed(mask);
  }
  const dim = input.features.dim;
  if (pooled.length !== n * dim) throw new ShapeMismatchError(`${pooled.length} embedding values for ${n} proposals of dimension ${dim}`);
  return (mask) => (mask.area === 0 ? null : pooled.slice(mask.index * dim, (mask.index + 1) * dim));
}
