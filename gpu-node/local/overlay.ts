// The overlay PNG of `refseg segment --overlay` and `npm run demo`: the shared picture
// (shared/render/overlay.ts: translucent masks outlined in class colours chosen apart from the
// objects' own colours, label chips with class and score) encoded by sharp.
import sharp from 'sharp';
import { drawOverlay } from '../../shared/render/overlay.ts';
import type { Rgb } from '../../shared/render/rgb.ts';
import type { Detection } from '../../shared/types.ts';

export async function rgbPng(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** The PNG and the colour each class label was drawn in (for a legend). */
export async function overlayPng(
  rgb: Uint8Array,
  width: number,
  height: number,
  detections: readonly Detection[],
  classNames: readonly string[],
): Promise<{ png: Uint8Array; colours: Map<number, Rgb> }> {
  const overlay = drawOverlay(rgb, width, height, detections, { classNames });
  return { png: await rgbPng(overlay.rgb, width, height), colours: overlay.colours };
}

export function rgbText(c: Rgb): string {
  return `rgb(${c.join(',')})`;
}
