// Decoded pixels → the exact model inputs of the official test path (spec/method.md §3.1–§3.3):
//   x1024 = PIL BICUBIC stretch to 1024×1024 (uint8), then /255 in float32, CHW
//   SAM2    = ImageNet-normalised x1024
//   DINOv2  = ImageNet-normalised torch bicubic(x1024 → 518×518, align_corners=False, no antialias)
// The DINOv2 resize runs on the /255 image before normalisation, as the official code does.
import { imagenetNormalize } from '../../shared/bank/normalize.ts';
import { pilBicubicRgb8, torchBicubic } from '../../shared/resample/index.ts';

export const SAM_SIZE = 1024;
export const DINO_SIZE = 518;

export interface RgbImage {
  /** width × height × 3 bytes, row-major RGB. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Pillow-exact BICUBIC stretch to 1024×1024 (aspect ratio not kept, no padding). */
export function stretchTo1024(img: RgbImage): Uint8Array {
  return pilBicubicRgb8(img.data, img.width, img.height, SAM_SIZE, SAM_SIZE);
}

/** HWC uint8 → CHW float32 in [0, 1]. */
export function unitChw(hwc: Uint8Array, width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    out[i] = hwc[i * 3] / 255;
    out[plane + i] = hwc[i * 3 + 1] / 255;
    out[2 * plane + i] = hwc[i * 3 + 2] / 255;
  }
  return out;
}

/** SAM2 encoder input (3×1024×1024) from the /255 1024² image. */
export function samPixels(x1024: Float32Array): Float32Array {
  return imagenetNormalize(x1024);
}

/** DINOv2 input (3×518×518) from the /255 1024² image. */
export function dinoPixels(x1024: Float32Array): Float32Array {
  return imagenetNormalize(torchBicubic(x1024, 3, SAM_SIZE, SAM_SIZE, DINO_SIZE, DINO_SIZE));
}

export interface TargetInputs {
  /** 1024×1024×3 uint8 HWC, the stretched image. */
  rgb1024: Uint8Array;
  sam: Float32Array;
  dino: Float32Array;
}

/** Both model inputs of one target image. */
export function targetInputs(img: RgbImage): TargetInputs {
  const rgb1024 = stretchTo1024(img);
  const x1024 = unitChw(rgb1024, SAM_SIZE, SAM_SIZE);
  return { rgb1024, sam: samPixels(x1024), dino: dinoPixels(x1024) };
}
