// The model outputs of one image that both pipeline paths start from.
import type { PatchFeatures } from './embedding.ts';
import { ShapeMismatchError } from './errors.ts';
import { proposalCount } from './low-res-mask.ts';
import type { LowResLogits } from './low-res-mask.ts';

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
