// Soft patch weights of a reference (spec/method.md §1.2 step 5, §1.3 step 4): the cropped 0/1
// mask stretched to 518² with torch bilinear, then sampled by torch nearest at pixel (14r, 14c).
import { torchBilinear, torchNearest } from '../resample/index.ts';
import { BankArgumentError } from './errors.ts';
import { checkCropFits, PATCH_GRID, REFERENCE_SIZE } from './geometry.ts';
import type { ReferenceCrop } from './geometry.ts';

export interface SoftWeights {
  /** Bilinear soft mask of the crop, row-major [518, 518], values in [0, 1]. */
  soft518: Float32Array;
  /** Patch weights, row-major [37, 37]: not area fractions, not thresholded. */
  weights37: Float32Array;
  /** Σ weights37 in float64; 0 means the reference covers no patch sample point. */
  sum: number;
}

/** Rows crop[1]..crop[3]−1, columns crop[0]..crop[2]−1 of a row-major h×w mask. */
export function cropMask(mask: Uint8Array, h: number, w: number, crop: ReferenceCrop['crop']): Uint8Array {
  if (mask.length !== h * w) throw new BankArgumentError(`mask has ${mask.length} values, ${h}×${w} needs ${h * w}`);
  const [x1, y1, x2, y2] = crop;
  checkCropFits(crop, w, h, 'mask');
  const cw = x2 - x1;
  const out = new Uint8Array(cw * (y2 - y1));
  for (let y = y1; y < y2; y++) out.set(mask.subarray(y * w + x1, y * w + x2), (y - y1) * cw);
  return out;
}

/** Soft weights of a full-image instance mask (row-major h×w, 0/1) for the given crop. */
export function softWeights37(mask: Uint8Array, h: number, w: number, crop: ReferenceCrop['crop']): SoftWeights {
  const cropped = Float32Array.from(cropMask(mask, h, w, crop));
  const soft518 = torchBilinear(cropped, 1, crop[3] - crop[1], crop[2] - crop[0], REFERENCE_SIZE, REFERENCE_SIZE, {
    antialias: false,
  });
  const weights37 = torchNearest(soft518, 1, REFERENCE_SIZE, REFERENCE_SIZE, PATCH_GRID, PATCH_GRID);
  let sum = 0;
  for (const v of weights37) sum += v;
  return { soft518, weights37, sum };
}
