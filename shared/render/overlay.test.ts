import { describe, expect, it } from 'vitest';
import { encodeMask } from '../coco-mask/index.ts';
import type { Detection } from '../types.ts';
import { textWidth } from './bitmap-font.ts';
import { chipScale, chipText, classColours, drawOverlay, FILL_ALPHA, OVERLAY_PALETTE } from './overlay.ts';
import { colourDistance } from './rgb.ts';
import type { Rgb } from './rgb.ts';

/** A grey image with flat-coloured rectangles, and a detection per rectangle. */
function scene(width: number, height: number, objects: { box: [number, number, number, number]; colour: Rgb; label: number; score: number }[]) {
  const rgb = new Uint8Array(width * height * 3).fill(128);
  const detections: Detection[] = objects.map((o, index) => {
    const [x1, y1, x2, y2] = o.box;
    const mask = new Uint8Array(width * height);
    for (let y = y1; y <= y2; y++) {
      for (let x = x1; x <= x2; x++) {
        mask[y * width + x] = 1;
        rgb.set(o.colour, 3 * (y * width + x));
      }
    }
    const area = (x2 - x1 + 1) * (y2 - y1 + 1);
    return { label: o.label, score: o.score, box: o.box, bbox: [x1, y1, x2 - x1 + 1, y2 - y1 + 1], area, mask: encodeMask(mask, height, width), index };
  });
  return { rgb, detections };
}

const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];

describe('classColours', () => {
  it('gives each class a palette colour far from its objects\' own colour and from the other classes', () => {
    const { rgb, detections } = scene(200, 100, [
      { box: [10, 30, 50, 70], colour: RED, label: 0, score: 0.9 },
      { box: [80, 30, 120, 70], colour: GREEN, label: 1, score: 0.8 },
      { box: [150, 30, 190, 70], colour: BLUE, label: 2, score: 0.7 },
    ]);
    const colours = classColours(rgb, detections);
    expect([...colours.keys()].sort()).toEqual([0, 1, 2]);
    const own = [RED, GREEN, BLUE];
    for (const [label, c] of colours) {
      expect(OVERLAY_PALETTE).toContain(c);
      expect(colourDistance(c, own[label])).toBeGreaterThan(350);
    }
    expect(new Set([...colours.values()]).size).toBe(3);
  });

  it('a class colour is never the colour of its own objects, whatever the objects are painted in', () => {
    for (const paint of OVERLAY_PALETTE) {
      const { rgb, detections } = scene(60, 60, [{ box: [10, 30, 50, 50], colour: paint, label: 0, score: 0.9 }]);
      expect(colourDistance(classColours(rgb, detections).get(0)!, paint)).toBeGreaterThan(300);
    }
  });
});

describe('drawOverlay', () => {
  it('fills masks translucently, outlines them and puts a chip with class and score above the box', () => {
    const { rgb, detections } = scene(200, 100, [{ box: [40, 40, 119, 89], colour: RED, label: 0, score: 0.873 }]);
    const { rgb: out, colours } = drawOverlay(rgb, 200, 100, detections, { classNames: ['mug'] });
    const c = colours.get(0)!;
    const at = (x: number, y: number) => [...out.subarray(3 * (y * 200 + x), 3 * (y * 200 + x) + 3)];
    expect(at(80, 65)).toEqual(RED.map((v, k) => Math.round(v * (1 - FILL_ALPHA) + c[k] * FILL_ALPHA)));
    expect(at(40, 65)).toEqual([...c]);
    expect(at(41, 65)).toEqual([...c]);
    expect(at(10, 95)).toEqual([128, 128, 128]);
    expect(rgb[3 * (65 * 200 + 80)]).toBe(255); // the input is not drawn on

    // "mug 0.87": 8 glyphs = 47 px of text, 2 px padding each side, 1 px border: 53 × 12, above y = 40.
    expect(chipText('mug', 0.873)).toBe('mug 0.87');
    const [w, h] = [textWidth('mug 0.87', 1) + 6, 12];
    expect(w).toBe(53);
    expect(at(40, 40 - h)).toEqual([0, 0, 0]);
    expect(at(40 + w - 1, 39)).toEqual([0, 0, 0]);
    expect(at(40 + w, 39)).toEqual([128, 128, 128]);
    expect(at(41, 40 - h + 1)).toEqual([...c]);
    const inside = new Set<string>();
    for (let y = 40 - h + 1; y < 39; y++) for (let x = 41; x < 40 + w - 1; x++) inside.add(at(x, y).join());
    const ink = c[0] * 0.2126 + c[1] * 0.7152 + c[2] * 0.0722 > 127.5 ? '0,0,0' : '255,255,255';
    expect([...inside].sort()).toEqual([c.join(), ink].sort());
  });

  it('keeps chips apart, inside the image, and larger on large images', () => {
    const { rgb, detections } = scene(1280, 720, [
      { box: [0, 0, 300, 300], colour: RED, label: 0, score: 0.9 },
      { box: [0, 0, 280, 200], colour: RED, label: 1, score: 0.8 },
      { box: [1200, 600, 1279, 719], colour: GREEN, label: 0, score: 0.7 },
    ]);
    expect(chipScale(1280, 720)).toBe(2);
    const { rgb: out } = drawOverlay(rgb, 1280, 720, detections, { classNames: ['a', 'b'] });
    const at = (x: number, y: number) => [...out.subarray(3 * (y * 1280 + x), 3 * (y * 1280 + x) + 3)];
    // First chip in the corner (clamped), 24 px high at scale 2; the second one right below it.
    expect(at(0, 0)).toEqual([0, 0, 0]);
    expect(at(0, 23)).toEqual([0, 0, 0]);
    expect(at(0, 24)).toEqual([0, 0, 0]);
    expect(at(0, 47)).toEqual([0, 0, 0]);
    // The chip of the box in the bottom-right corner is pulled left to fit: its right border is the last column.
    const w = textWidth('a 0.70', 2) + 2 * 4 + 2;
    expect(at(1279, 600 - 24)).toEqual([0, 0, 0]);
    expect(at(1280 - w, 600 - 24)).toEqual([0, 0, 0]);
  });

  it('cuts long names and shows characters the font lacks as ?', () => {
    expect(chipText('a'.repeat(30), 0.5)).toBe(`${'a'.repeat(22)}.. 0.50`);
    expect(chipText('tête', 1)).toBe('t?te 1.00');
  });
});
