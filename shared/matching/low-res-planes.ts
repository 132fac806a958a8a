// The proposals' low-res masks as extraction reads them, whatever form the decoder gave: dense
// logits [n, 256, 256], or the compact batches of a decoder graph that did the post-decoder steps.
import { compactReader } from './compact-low-res.ts';
import type { CompactLowRes } from './compact-low-res.ts';
import type { Rle } from '../types.ts';
import type { FullResMask, FullResRenderer } from './fullres-mask.ts';
import { proposalCount, scanLowResMask } from './low-res-mask.ts';
import type { LowResLogits, LowResMask } from './low-res-mask.ts';

export type LowResInput = LowResLogits | readonly CompactLowRes[];

export interface LowResPlanes {
  count: number;
  /** The 256-grid mask of proposal `index` (logit > 0) as row runs, with area and box. */
  scan(index: number): LowResMask;
  /** Its full-resolution mask. */
  render(renderer: FullResRenderer, mask: LowResMask): FullResMask;
  /** Its full-resolution mask as COCO RLE only. */
  renderRle(renderer: FullResRenderer, mask: LowResMask): Rle;
}

export function lowResPlanes(input: LowResInput): LowResPlanes {
  if (isCompact(input)) {
    const reader = compactReader(input);
    return {
      count: reader.count,
      scan: reader.scan,
      render: (renderer, mask) => renderer.render(reader.planeOf(mask.index), mask, 0),
      renderRle: (renderer, mask) => renderer.renderRle(reader.planeOf(mask.index), mask, 0),
    };
  }
  return {
    count: proposalCount(input),
    scan: (index) => scanLowResMask(input, index),
    render: (renderer, mask) => renderer.render(input, mask),
    renderRle: (renderer, mask) => renderer.renderRle(input, mask),
  };
}

export function isCompact(input: LowResInput): input is readonly CompactLowRes[] {
  return Array.isArray(input);
}
