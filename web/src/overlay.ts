// The result picture: the image, then its detections filled translucently and outlined in class
// colours (chosen away from the objects' own colours), each with a label chip "class score";
// or the semantic map (one merged mask per class). A hit map answers "which detection is under
// the pointer" for hover highlighting. The same drawing makes the overlay PNG download.
import type { SegmentDetection } from '../../shared/client/index.ts';
import { assignClassColours, css, textColourOn } from './colors.ts';
import type { Rgb } from './colors.ts';
import { fmtScore } from './dom.ts';
import { decode, meanColour, outline, paint, paintCrop, rleOf, union } from './masks.ts';
import type { Crop } from './masks.ts';

export type ViewMode = 'instances' | 'semantic';

export interface Visible {
  detection: SegmentDetection;
  /** Index in the API's detection list. */
  index: number;
}

export interface DrawInput {
  image: ImageBitmap;
  /** The mask of detection i (API list index), cut to its box; decoded once per result. */
  crop(index: number): Crop;
  pixels: Uint8ClampedArray;
  detections: readonly SegmentDetection[];
  visible: readonly Visible[];
  mode: ViewMode;
  /** Image pixels per CSS pixel as shown, so chips and lines read the same at any size. */
  scale: number;
}

export interface Drawn {
  colours: Map<number, Rgb>;
  /** Per pixel: 1 + index (API list) of the top visible detection there, 0 for none. */
  hits: Int32Array;
}

/** Class colours for one result: from the mean colours of the best 50 detections (visible or not), so they stay put while filtering. */
export function coloursFor(pixels: Uint8ClampedArray, width: number, detections: readonly SegmentDetection[], crop: (index: number) => Crop, classCount: number): Map<number, Rgb> {
  const objects = new Map<number, Rgb[]>();
  detections.slice(0, 50).forEach((d, i) => {
    const k = crop(i);
    const under = new Uint8ClampedArray(4 * k.w * k.h);
    for (let r = 0; r < k.h; r++) under.set(pixels.subarray(4 * ((k.y + r) * width + k.x), 4 * ((k.y + r) * width + k.x + k.w)), 4 * r * k.w);
    const c = meanColour(under, k.data);
    if (c) objects.set(d.label, [...(objects.get(d.label) ?? []), c]);
  });
  return assignClassColours([...Array(classCount).keys()], objects);
}

export function drawResult(ctx: CanvasRenderingContext2D, input: DrawInput, colours: Map<number, Rgb>): Drawn {
  const { image, visible, mode, scale } = input;
  const w = image.width;
  const h = image.height;
  ctx.canvas.width = w;
  ctx.canvas.height = h;
  ctx.clearRect(0, 0, w, h);
  const layer = ctx.createImageData(w, h);
  const hits = new Int32Array(w * h);
  const line = Math.max(2, Math.round(2 * scale));
  if (mode === 'semantic') {
    const byLabel = new Map<number, Visible[]>();
    for (const v of visible) byLabel.set(v.detection.label, [...(byLabel.get(v.detection.label) ?? []), v]);
    for (const [label, list] of byLabel) {
      const mask = decode(union(list.map((v) => rleOf(v.detection.mask))));
      paint(layer.data, mask, colours.get(label)!, 0.6);
      paint(layer.data, outline(mask, w, h, line), colours.get(label)!, 1);
    }
  } else {
    // Lowest score first, so the best detection ends on top (and owns the hit map where they overlap).
    for (const v of [...visible].reverse()) {
      const k = input.crop(v.index);
      const colour = colours.get(v.detection.label)!;
      paintCrop(layer.data, w, k, k.data, colour, 0.35);
      paintCrop(layer.data, w, k, outline(k.data, k.w, k.h, line + 1), [0, 0, 0], 0.55);
      paintCrop(layer.data, w, k, outline(k.data, k.w, k.h, line), colour, 1);
      for (let r = 0; r < k.h; r++) for (let c = 0; c < k.w; c++) if (k.data[r * k.w + c]) hits[(k.y + r) * w + k.x + c] = v.index + 1;
    }
  }
  ctx.putImageData(layer, 0, 0);
  if (mode === 'instances') for (const v of visible) chip(ctx, v.detection, colours.get(v.detection.label)!, scale);
  return { colours, hits };
}

/** "class 0.987" on the class colour, at the detection's top-left corner, inside the picture. */
function chip(ctx: CanvasRenderingContext2D, d: SegmentDetection, colour: Rgb, scale: number): void {
  const size = Math.max(10, Math.round(12 * scale));
  ctx.font = `600 ${size}px system-ui, sans-serif`;
  const text = `${d.class} ${fmtScore(d.score)}`;
  const pad = Math.round(size * 0.3);
  const tw = ctx.measureText(text).width + 2 * pad;
  const th = size + 2 * pad;
  const [bx, by] = d.bbox;
  const x = Math.max(0, Math.min(bx, ctx.canvas.width - tw));
  const y = by - th >= 0 ? by - th : Math.min(by, ctx.canvas.height - th);
  ctx.fillStyle = css(colour);
  ctx.strokeStyle = 'rgba(0,0,0,0.6)';
  ctx.lineWidth = Math.max(1, scale);
  ctx.beginPath();
  ctx.roundRect(x, y, tw, th, Math.round(size * 0.25));
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = textColourOn(colour);
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x + pad, y + th / 2 + 1);
}

/** The hovered detection: brighter fill and a white double outline, on its own layer. */
export function drawHighlight(ctx: CanvasRenderingContext2D, image: ImageBitmap, k: Crop | null, colour: Rgb | undefined, scale: number): void {
  if (ctx.canvas.width !== image.width || ctx.canvas.height !== image.height) {
    ctx.canvas.width = image.width;
    ctx.canvas.height = image.height;
  }
  ctx.clearRect(0, 0, image.width, image.height);
  if (!k || !colour || k.w === 0 || k.h === 0) return;
  const layer = ctx.createImageData(k.w, k.h);
  const line = Math.max(3, Math.round(3 * scale));
  const whole = { ...k, x: 0, y: 0 };
  paintCrop(layer.data, k.w, whole, k.data, colour, 0.35);
  paintCrop(layer.data, k.w, whole, outline(k.data, k.w, k.h, line + 2), [255, 255, 255], 1);
  paintCrop(layer.data, k.w, whole, outline(k.data, k.w, k.h, line), colour, 1);
  ctx.putImageData(layer, k.x, k.y);
}

/** A greyscale-as-RGB PNG of per-pixel values (instance number or class label + 1; 0 = nothing). */
export async function valuePng(w: number, h: number, value: (i: number) => number): Promise<Blob> {
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = value(i);
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}
