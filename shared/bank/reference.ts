// Everything about one reference that precedes the DINOv2 run, refusing a reference whose
// weights are all zero before any model work is spent on it (spec/method.md §2, edge cases).
import { EmptyReferenceError } from '../errors.ts';
import type { CocoBox } from '../types.ts';
import { cropImage518 } from './crop-image.ts';
import { DEFAULT_CONTEXT_RATIO, referenceCrop } from './geometry.ts';
import type { ReferenceCrop } from './geometry.ts';
import { imagenetNormalize } from './normalize.ts';
import { softWeights37 } from './soft-weights.ts';

export interface PreparedReference {
  geometry: ReferenceCrop;
  /** Patch weights, row-major [37, 37], to pass to instanceMean with the DINOv2 patch tokens. */
  weights37: Float32Array;
  /** DINOv2 input: ImageNet-normalised float32 CHW [3, 518, 518]. */
  input: Float32Array;
}

/**
 * Crop geometry, soft weights and DINOv2 input of one reference: 8-bit RGB image (HWC, w×h), its
 * instance mask (row-major h×w, 0/1) and COCO bbox. Throws EmptyReferenceError when the mask
 * covers no patch sample point (its instance mean would be NaN).
 */
export function prepareReference(
  rgb: Uint8Array,
  w: number,
  h: number,
  mask: Uint8Array,
  bbox: CocoBox,
  contextRatio = DEFAULT_CONTEXT_RATIO,
): PreparedReference {
  const geometry = referenceCrop(bbox, w, h, contextRatio);
  const { weights37, sum } = softWeights37(mask, h, w, geometry.crop);
  if (sum === 0) throw new EmptyReferenceError();
  return { geometry, weights37, input: imagenetNormalize(cropImage518(rgb, w, h, geometry.crop)) };
}
