// What a decoder graph with the post-decoder steps hands out (decoder-best-mask.ts, `compact`):
// the kept prompts' masks in the compact form that extraction reads directly
// (shared/matching/compact-low-res.ts), with their IoUs, prompt indices and pooled embeddings.
import type { CompactLowRes } from '../../shared/matching/index.ts';

/** Proposals chosen in the graph (best of 3 by IoU, kept when IoU > threshold), compact. */
export interface BestMasks extends CompactLowRes {
  /** Predicted IoU of each kept prompt. */
  iou: Float32Array;
  /** Index of each kept prompt among the prompts given. */
  prompt: Int32Array;
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
