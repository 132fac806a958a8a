import { describe, expect, it } from 'vitest';
import { pilBicubicRgb8, torchBicubic } from '../../shared/resample/index.ts';
import { dinoPixels, samPixels, stretchTo1024, targetInputs, unitChw } from './tensors.ts';

const f = Math.fround;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** torchvision Normalize on a float32 tensor: (x − mean) / std, every step in float32. */
const norm = (x: number, c: number) => f(f(x - f(MEAN[c])) / f(STD[c]));

describe('unitChw', () => {
  it('HWC bytes → CHW float32 /255', () => {
    const hwc = Uint8Array.of(0, 1, 2, 3, 4, 5, 253, 254, 255, 10, 20, 30);
    const chw = unitChw(hwc, 2, 2);
    expect(Array.from(chw)).toEqual([0, 3, 253, 10, 1, 4, 254, 20, 2, 5, 255, 30].map((v) => f(v / 255)));
  });
});

describe('model inputs', () => {
  it('a flat colour gives the float32 ImageNet values everywhere, for SAM2 and DINOv2', () => {
    const rgb = [37, 150, 222];
    const img = { width: 300, height: 170, data: new Uint8Array(300 * 170 * 3).map((_, i) => rgb[i % 3]) };
    const { rgb1024, sam, dino } = targetInputs(img);
    expect(rgb1024.length).toBe(1024 * 1024 * 3);
    expect(rgb1024.every((v, i) => v === rgb[i % 3])).toBe(true);
    expect(sam.length).toBe(3 * 1024 * 1024);
    expect(dino.length).toBe(3 * 518 * 518);
    for (let c = 0; c < 3; c++) {
      const want = norm(f(rgb[c] / 255), c);
      for (const i of [0, 12345, 1024 * 1024 - 1]) expect(sam[c * 1024 * 1024 + i]).toBe(want);
      // Bicubic weights sum to 1 only up to float32 rounding.
      for (const i of [0, 777, 518 * 518 - 1]) expect(dino[c * 518 * 518 + i]).toBeCloseTo(want, 5);
    }
  });

  it('chains Pillow 1024 stretch → /255 → (normalise | torch bicubic 518 → normalise) in that order', () => {
    const w = 97;
    const h = 61;
    const data = new Uint8Array(w * h * 3).map((_, i) => (i * 37 + (i >> 5)) % 256);
    const { rgb1024, sam, dino } = targetInputs({ width: w, height: h, data });
    expect(Buffer.compare(rgb1024, pilBicubicRgb8(data, w, h, 1024, 1024))).toBe(0);
    const x1024 = unitChw(rgb1024, 1024, 1024);
    const x518 = torchBicubic(x1024, 3, 1024, 1024, 518, 518);
    for (const [c, i] of [[0, 0], [1, 5000], [2, 1024 * 1024 - 7]]) expect(sam[c * 1024 * 1024 + i]).toBe(norm(x1024[c * 1024 * 1024 + i], c));
    // DINOv2 resamples the /255 image, not the normalised one (the two differ by rounding and overshoot).
    for (const [c, i] of [[0, 0], [1, 40_000], [2, 518 * 518 - 1]]) expect(dino[c * 518 * 518 + i]).toBe(norm(x518[c * 518 * 518 + i], c));
    expect(Buffer.compare(Buffer.from(samPixels(x1024).buffer), Buffer.from(sam.buffer))).toBe(0);
    expect(Buffer.compare(Buffer.from(dinoPixels(x1024).buffer), Buffer.from(dino.buffer))).toBe(0);
  });

  it('keeps the image the right way round: left/right and top/bottom', () => {
    const w = 300;
    const h = 200;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x < w / 2 ? 0 : 255, y < h / 2 ? 0 : 255, 0], (y * w + x) * 3);
    const x1024 = unitChw(stretchTo1024({ width: w, height: h, data }), 1024, 1024);
    const at = (c: number, x: number, y: number) => x1024[c * 1024 * 1024 + y * 1024 + x];
    expect([at(0, 100, 500), at(0, 900, 500), at(1, 500, 100), at(1, 500, 900)]).toEqual([0, 1, 0, 1]);
    const d = dinoPixels(x1024);
    const dAt = (c: number, x: number, y: number) => d[c * 518 * 518 + y * 518 + x];
    expect(dAt(0, 50, 250)).toBeCloseTo(norm(0, 0), 5);
    expect(dAt(0, 450, 250)).toBeCloseTo(norm(1, 0), 5);
    expect(dAt(1, 250, 50)).toBeCloseTo(norm(0, 1), 5);
    expect(dAt(1, 250, 450)).toBeCloseTo(norm(1, 1), 5);
  });
});
