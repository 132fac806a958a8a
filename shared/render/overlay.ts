// A picture of detections for people: each mask filled translucently and outlined in its class
// colour, and a label chip (class and score, in the built-in bitmap font) at the top-left of its
// box. Class colours are picked per image so they stand apart from the objects' own colours (a
// red class on red objects would vanish) and from each other. RGB (HWC) in, RGB out, Web-standard
// only: the CLI, the demo and a browser page draw the same picture.
import { decodeRle } from '../coco-mask/index.ts';
import type { Detection } from '../types.ts';
import { drawable, drawText, textHeight, textWidth } from './bitmap-font.ts';
import { colourDistance, luminance } from './rgb.ts';
import type { Rgb } from './rgb.ts';

/** Candidate class colours: saturated, far apart, none of them grey. */
export const OVERLAY_PALETTE: readonly Rgb[] = [
  [255, 0, 255],
  [0, 255, 255],
  [255, 210, 0],
  [255, 120, 0],
  [140, 60, 255],
  [0, 255, 120],
  [255, 60, 120],
  [40, 140, 255],
  [170, 255, 0],
  [255, 160, 200],
  [0, 150, 130],
  [150, 80, 0],
];

/** How much of the class colour a mask pixel gets. */
export const FILL_ALPHA = 0.3;
const CHIP_BORDER: Rgb = [0, 0, 0];
const MAX_NAME_CHARS = 24;

/** Glyph scale of the chips: 1 up to 960 px on the longer side, then one more per 640 px. */
export function chipScale(width: number, height: number): number {
  return Math.max(1, Math.round(Math.max(width, height) / 640));
}

/** Mean colour of the pixels under `masks` (mid grey when they hold none). */
function meanColour(rgb: Uint8Array, masks: readonly Uint8Array[]): Rgb {
  const sum = [0, 0, 0];
  let n = 0;
  for (const mask of masks) {
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 0) continue;
      sum[0] += rgb[3 * i];
      sum[1] += rgb[3 * i + 1];
      sum[2] += rgb[3 * i + 2];
      n++;
    }
  }
  return n === 0 ? [128, 128, 128] : [sum[0] / n, sum[1] / n, sum[2] / n];
}

/**
 * A colour per class label present: classes covering more pixels choose first, each taking the
 * palette colour farthest from both its objects' mean colour and the colours already taken.
 */
export function classColours(rgb: Uint8Array, detections: readonly Detection[], masks: readonly Uint8Array[] = detections.map((d) => decodeRle(d.mask))): Map<number, Rgb> {
  const byLabel = new Map<number, { masks: Uint8Array[]; area: number }>();
  detections.forEach((d, i) => {
    const entry = byLabel.get(d.label) ?? { masks: [], area: 0 };
    entry.masks.push(masks[i]);
    entry.area += d.area;
    byLabel.set(d.label, entry);
  });
  const order = [...byLabel.entries()].sort((a, b) => b[1].area - a[1].area || a[0] - b[0]);
  const taken: Rgb[] = [];
  const colours = new Map<number, Rgb>();
  for (const [label, { masks: own }] of order) {
    const mean = meanColour(rgb, own);
    const free = OVERLAY_PALETTE.filter((c) => !taken.includes(c));
    const pool = free.length > 0 ? free : OVERLAY_PALETTE;
    let best = pool[0];
    let bestScore = -1;
    for (const c of pool) {
      const score = Math.min(colourDistance(c, mean), ...taken.map((t) => colourDistance(c, t)));
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    taken.push(best);
    colours.set(label, best);
  }
  return colours;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** `name score`, in characters the font has, the name cut to MAX_NAME_CHARS. */
export function chipText(name: string, score: number): string {
  const chars = [...drawable(name)];
  const shown = chars.length > MAX_NAME_CHARS ? `${chars.slice(0, MAX_NAME_CHARS - 2).join('')}..` : chars.join('');
  return `${shown} ${score.toFixed(2)}`;
}

/** Where a chip goes: above its box, else inside its top (stacking down), else below; the first spot no better chip holds. */
function placeChip(box: Detection['box'], w: number, h: number, width: number, height: number, placed: readonly Rect[]): Rect {
  const [x1, y1, , y2] = box;
  const x = Math.max(0, Math.min(x1, width - w));
  const clampY = (y: number) => Math.max(0, Math.min(y, height - h));
  const ys = [y1 - h, y1];
  for (let y = y1 + h; y + h <= y2; y += h) ys.push(y);
  ys.push(y2 + 1);
  const spots = ys.map((y) => ({ x, y: clampY(y), w, h }));
  return spots.find((s) => !placed.some((p) => overlaps(s, p))) ?? spots[0];
}

function fillRect(rgb: Uint8Array, width: number, height: number, r: Rect, colour: Rgb): void {
  for (let y = Math.max(0, r.y); y < Math.min(height, r.y + r.h); y++) {
    for (let x = Math.max(0, r.x); x < Math.min(width, r.x + r.w); x++) rgb.set(colour, 3 * (y * width + x));
  }
}

export interface OverlayOptions {
  /** Class names by label (a missing name shows the label number). */
  classNames: readonly string[];
  /** Colours by label; default: classColours of this image. */
  colours?: ReadonlyMap<number, Rgb>;
  /** Glyph scale of the chips; default chipScale of the image. */
  scale?: number;
}

export interface Overlay {
  rgb: Uint8Array;
  /** The colour each label present was drawn in. */
  colours: Map<number, Rgb>;
}

/** The detections drawn on a copy of `rgb` (best detections painted last, their chips placed first). */
export function drawOverlay(rgb: Uint8Array, width: number, height: number, detections: readonly Detection[], options: OverlayOptions): Overlay {
  const out = rgb.slice();
  const masks = detections.map((d) => decodeRle(d.mask));
  const colours = new Map(options.colours ?? classColours(rgb, detections, masks));
  const scale = options.scale ?? chipScale(width, height);
  const colourOf = (label: number): Rgb => colours.get(label) ?? OVERLAY_PALETTE[label % OVERLAY_PALETTE.length];
  const outline = scale + 1;

  for (let k = detections.length - 1; k >= 0; k--) {
    const colour = colourOf(detections[k].label);
    const mask = masks[k];
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask[y * width + x] === 1;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 0) continue;
      const x = i % width;
      const y = (i - x) / width;
      let edge = false;
      for (let t = 1; t <= outline && !edge; t++) edge = !inside(x - t, y) || !inside(x + t, y) || !inside(x, y - t) || !inside(x, y + t);
      if (edge) {
        out.set(colour, 3 * i);
        continue;
      }
      for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round(out[3 * i + c] * (1 - FILL_ALPHA) + colour[c] * FILL_ALPHA);
    }
  }

  const pad = 2 * scale;
  const placed: Rect[] = [];
  const chips = detections.map((d) => {
    const text = chipText(options.classNames[d.label] ?? String(d.label), d.score);
    const rect = placeChip(d.box, textWidth(text, scale) + 2 * pad + 2, textHeight(scale) + 2 * pad, width, height, placed);
    placed.push(rect);
    return { text, rect, colour: colourOf(d.label) };
  });
  for (const { text, rect, colour } of chips.reverse()) {
    fillRect(out, width, height, rect, CHIP_BORDER);
    fillRect(out, width, height, { x: rect.x + 1, y: rect.y + 1, w: rect.w - 2, h: rect.h - 2 }, colour);
    const ink: Rgb = luminance(colour) > 0.5 ? [0, 0, 0] : [255, 255, 255];
    drawText(out, width, height, rect.x + 1 + pad, rect.y + pad, text, ink, scale);
  }
  return { rgb: out, colours };
}
