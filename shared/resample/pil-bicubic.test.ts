import { describe, expect, it } from 'vitest';
import { ResampleArgumentError } from './check.ts';
import { pilBicubicAxis, pilBicubicRgb8 } from './pil-bicubic.ts';

function randomImage(w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function transposeHwc(src: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) out[(x * h + y) * 3 + c] = src[(y * w + x) * 3 + c];
  }
  return out;
}

describe('pilBicubicAxis', () => {
  it('gives the hand-computed 22-bit weights for 4 → 2', () => {
    // scale 2 ⇒ support 4, taps at t = ±0.25, ±0.75, ±1.25; k = 0.8671875, 0.2265625, −0.0703125 over a sum of 1.890625.
    const axis = pilBicubicAxis(4, 2);
    expect(Array.from(axis.start)).toEqual([0, 0]);
    expect(Array.from(axis.size)).toEqual([4, 4]);
    expect(axis.maxSize).toBe(4);
    expect(Array.from(axis.weights)).toEqual([1923834, 1923834, 502623, -155987, -155987, 502623, 1923834, 1923834]);
  });

  it('gives weight 1.0 (2^22) to the only pixel of a 1-pixel side', () => {
    const axis = pilBicubicAxis(1, 5);
    expect(Array.from(axis.start)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(axis.size)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(axis.weights)).toEqual([4194304, 4194304, 4194304, 4194304, 4194304]);
  });

  it('truncates the window at the borders and keeps every row summing to ~2^22', () => {
    const axis = pilBicubicAxis(10, 4);
    for (let i = 0; i < 4; i++) {
      expect(axis.start[i]).toBeGreaterThanOrEqual(0);
      expect(axis.start[i] + axis.size[i]).toBeLessThanOrEqual(10);
      let sum = 0;
      for (let j = 0; j < axis.maxSize; j++) sum += axis.weights[i * axis.maxSize + j];
      expect(Math.abs(sum - 4194304)).toBeLessThanOrEqual(axis.size[i]);
    }
  });
});

describe('pilBicubicRgb8', () => {
  it('returns an equal copy at the same size', () => {
    const src = randomImage(7, 5, 1);
    const out = pilBicubicRgb8(src, 7, 5, 7, 5);
    expect(out).not.toBe(src);
    expect(out).toEqual(src);
  });

  it('spreads a 1×1 image to a constant colour', () => {
    const out = pilBicubicRgb8(Uint8Array.of(12, 200, 255), 1, 1, 5, 3);
    expect(out.length).toBe(45);
    for (let i = 0; i < 15; i++) expect([out[3 * i], out[3 * i + 1], out[3 * i + 2]]).toEqual([12, 200, 255]);
  });

  it('halves 2 → 1 as the rounded mean (weights ½, ½, +2^21 before the shift)', () => {
    // (10+20)/2 = 15 exactly; (10+21)/2 = 15.5 rounds up; (0+255)/2 = 127.5 rounds up.
    const out = pilBicubicRgb8(Uint8Array.of(10, 10, 0, 20, 21, 255), 2, 1, 1, 1);
    expect(Array.from(out)).toEqual([15, 16, 128]);
  });

  it('clips overshoot at a hard edge to 0 and 255', () => {
    const src = new Uint8Array(8 * 3);
    src.fill(255, 12);
    const out = pilBicubicRgb8(src, 8, 1, 16, 1);
    const reds = Array.from({ length: 16 }, (_, i) => out[3 * i]);
    expect(reds.slice(0, 6)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(reds.slice(10)).toEqual([255, 255, 255, 255, 255, 255]);
    expect(reds[7]).toBeGreaterThan(0);
    expect(reds[7]).toBeLessThan(128);
  });

  it('treats x and y alike: a height-only resize is the transpose of a width-only one', () => {
    const src = randomImage(9, 23, 7);
    const vertical = pilBicubicRgb8(src, 9, 23, 9, 6);
    const horizontal = pilBicubicRgb8(transposeHwc(src, 9, 23), 23, 9, 6, 9);
    expect(transposeHwc(horizontal, 6, 9)).toEqual(vertical);
  });

  it('runs the horizontal pass first, on uint8 (a vertical-first order gives other bytes here)', () => {
    const src = randomImage(31, 29, 3);
    const both = pilBicubicRgb8(src, 31, 29, 13, 11);
    const widthThenHeight = pilBicubicRgb8(pilBicubicRgb8(src, 31, 29, 13, 29), 13, 29, 13, 11);
    const heightThenWidth = pilBicubicRgb8(pilBicubicRgb8(src, 31, 29, 31, 11), 31, 11, 13, 11);
    expect(both).toEqual(widthThenHeight);
    expect(both).not.toEqual(heightThenWidth);
  });

  it('rejects sizes and buffers that do not fit', () => {
    expect(() => pilBicubicRgb8(new Uint8Array(11), 2, 2, 1, 1)).toThrow(ResampleArgumentError);
    expect(() => pilBicubicRgb8(new Uint8Array(12), 2, 2, 0, 1)).toThrow(/outW must be a positive integer/);
    expect(() => pilBicubicAxis(3, 1.5)).toThrow(ResampleArgumentError);
  });
});
