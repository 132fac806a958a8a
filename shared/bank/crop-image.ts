// The DINOv2 input of a reference (spec/method.md §1.2 steps 1 and 5): float32(u8/255), cropped,
// stretched to 518² with torch bicubic (A = −0.75, no antialias, overshoot kept).
import { torchBicubic } from '../resample/index.ts';
import { BankArgumentError } from './errors.ts';
import { checkCropFits, REFERENCE_SIZE } from './geometry.ts';
import type { ReferenceCrop } from './geometry.ts';

/** Crop of an 8-bit RGB image (HWC, w×h) as float32 CHW [3, 518, 518], before ImageNet normalisation. */
export function cropImage518(rgb: Uint8Array, w: number, h: number, crop: ReferenceCrop['crop']): Float32Array {
  if (rgb.length !== w * h * 3) throw new BankArgumentError(`RGB image has ${rgb.length} bytes, ${w}×${h}×3 needs ${w * h * 3}`);
  const [x1, y1, x2, y2] = crop;
  checkCropFits(crop, w, h, 'image');
  const cw = x2 - x1;
  const ch = y2 - y1;
  const plane = cw * ch;
  const chw = new Float32Array(3 * plane);
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const src = ((y1 + y) * w + x1 + x) * 3;
      const dst = y * cw + x;
      // Division in float64, then the store rounds to float32: as numpy's /255.0 then .float().
      chw[dst] = rgb[src] / 255;
      chw[plane + dst] = rgb[src + 1] / 255;
      chw[2 * plane + dst] = rgb[src + 2] / 255;
    }
  }
  return torchBicubic(chw, 3, ch, cw, REFERENCE_SIZE, REFERENCE_SIZE);
}
