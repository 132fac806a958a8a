// Masks on canvases: COCO RLE (shared/coco-mask, row-major 0/1) ↔ pixels, outlines, mean colours.
import { decodeRle, encodeMask, mergeRles } from '../../shared/coco-mask/index.ts';
import type { MaskOutput } from '../../shared/client/index.ts';
import type { Rle } from '../../shared/types.ts';
import type { Rgb } from './colors.ts';

export function rleOf(mask: MaskOutput): Rle {
  if (!('counts' in mask)) throw new Error('The page asks for masks as RLE; got another format.');
  return mask;
}

export const decode = (mask: MaskOutput): Uint8Array => decodeRle(rleOf(mask));
export const encode = (mask: Uint8Array, h: number, w: number): Rle => encodeMask(mask, h, w);
export const union = (masks: Rle[]): Rle => (masks.length === 1 ? masks[0] : mergeRles(masks, false));

/** Pixels of the mask's border (inside pixels with an outside 4-neighbour), grown to `thickness`. */
export function outline(mask: Uint8Array, w: number, h: number, thickness: number): Uint8Array {
  const edge = new Uint8Array(w * h);
  const r = Math.max(0, thickness - 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      const border = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - w] || !mask[i + w];
      if (!border) continue;
      // Grown inwards only, so neighbouring objects' outlines do not cover each other.
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          if (xx >= 0 && xx < w && mask[yy * w + xx]) edge[yy * w + xx] = 1;
        }
      }
    }
  }
  return edge;
}

/** Mean colour of the RGBA pixels under the mask (null for an empty mask). */
export function meanColour(rgba: Uint8ClampedArray, mask: Uint8Array): Rgb | null {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    r += rgba[4 * i];
    g += rgba[4 * i + 1];
    b += rgba[4 * i + 2];
    n++;
  }
  return n === 0 ? null : [r / n, g / n, b / n];
}

/** Blends `colour` at `alpha` into the RGBA buffer where mask is set. */
export function paint(rgba: Uint8ClampedArray, mask: Uint8Array, colour: Rgb, alpha: number): void {
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    const o = 4 * i;
    const a = rgba[o + 3] / 255;
    const outA = alpha + a * (1 - alpha);
    for (let c = 0; c < 3; c++) rgba[o + c] = (colour[c] * alpha + rgba[o + c] * a * (1 - alpha)) / (outA || 1);
    rgba[o + 3] = outA * 255;
  }
}

/** A mask cut to its box: what a detection covers, kept small (photos are large, objects rarely). */
export interface Crop {
  x: number;
  y: number;
  w: number;
  h: number;
  data: Uint8Array;
}

export function cropOf(mask: Uint8Array, width: number, height: number, bbox: readonly number[]): Crop {
  const x = Math.max(0, Math.floor(bbox[0]));
  const y = Math.max(0, Math.floor(bbox[1]));
  const w = Math.max(0, Math.min(width, Math.ceil(bbox[0] + bbox[2])) - x);
  const h = Math.max(0, Math.min(height, Math.ceil(bbox[1] + bbox[3])) - y);
  const data = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) data.set(mask.subarray((y + r) * width + x, (y + r) * width + x + w), r * w);
  return { x, y, w, h, data };
}

/** paint() of a crop into a full-size RGBA buffer of the given width. */
export function paintCrop(rgba: Uint8ClampedArray, width: number, crop: Crop, cropMask: Uint8Array, colour: Rgb, alpha: number): void {
  for (let r = 0; r < crop.h; r++) {
    const row = rgba.subarray(4 * ((crop.y + r) * width + crop.x), 4 * ((crop.y + r) * width + crop.x + crop.w));
    paint(row, cropMask.subarray(r * crop.w, (r + 1) * crop.w), colour, alpha);
  }
}
