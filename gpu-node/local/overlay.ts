// A picture of the detections: every mask tinted in its class colour (translucent) with its
// boundary traced in black, every box outlined in the class colour just outside the box and edged
// in black, best detections painted last. The black lines keep a detection visible on an object of
// its own class colour. No text: the colours are listed by the caller.
import sharp from 'sharp';
import { decodeRle } from '../../shared/coco-mask/index.ts';
import type { Detection } from '../../shared/types.ts';

/** Distinct, saturated colours, one per class (cycled past ten classes). */
export const CLASS_COLOURS: readonly (readonly [number, number, number])[] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [250, 190, 212],
  [0, 128, 128],
];
const ALPHA = 0.5;
const LINE = 2;
const INK: readonly [number, number, number] = [0, 0, 0];

export function classColour(label: number): readonly [number, number, number] {
  return CLASS_COLOURS[label % CLASS_COLOURS.length];
}

/** RGB (HWC) with the detections drawn on a copy. */
export function drawDetections(rgb: Uint8Array, width: number, height: number, detections: readonly Detection[]): Uint8Array {
  const out = rgb.slice();
  for (const d of [...detections].reverse()) {
    const [r, g, b] = classColour(d.label);
    const mask = decodeRle(d.mask);
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 0) continue;
      const x = i % width;
      const y = (i - x) / width;
      if (!inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1)) {
        out.set(INK, 3 * i);
        continue;
      }
      out[3 * i] = Math.round(out[3 * i] * (1 - ALPHA) + r * ALPHA);
      out[3 * i + 1] = Math.round(out[3 * i + 1] * (1 - ALPHA) + g * ALPHA);
      out[3 * i + 2] = Math.round(out[3 * i + 2] * (1 - ALPHA) + b * ALPHA);
    }
    const [x1, y1, x2, y2] = d.box;
    const ring = (t: number, colour: readonly [number, number, number]) => {
      const paint = (x: number, y: number) => {
        if (x >= 0 && y >= 0 && x < width && y < height) out.set(colour, 3 * (y * width + x));
      };
      for (let x = x1 - t; x <= x2 + t; x++) {
        paint(x, y1 - t);
        paint(x, y2 + t);
      }
      for (let y = y1 - t; y <= y2 + t; y++) {
        paint(x1 - t, y);
        paint(x2 + t, y);
      }
    };
    for (let t = 1; t <= LINE; t++) ring(t, [r, g, b]);
    ring(LINE + 1, INK);
  }
  return out;
}

export async function overlayPng(rgb: Uint8Array, width: number, height: number, detections: readonly Detection[]): Promise<Uint8Array> {
  const drawn = drawDetections(rgb, width, height, detections);
  return new Uint8Array(await sharp(drawn, { raw: { width, height, channels: 3 } }).png().toBuffer());
}
