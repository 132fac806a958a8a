import { describe, expect, it } from 'vitest';
import { cropImage518 } from './crop-image.ts';
import { BankArgumentError } from './errors.ts';

describe('cropImage518', () => {
  // 20×10 RGB image: left half pure red (255,0,0), right half grey (51,102,153).
  const w = 20;
  const h = 10;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) rgb.set(x < 10 ? [255, 0, 0] : [51, 102, 153], (y * w + x) * 3);
  }

  it('returns the crop as float32 u8/255 CHW planes stretched to 518²', () => {
    const out = cropImage518(rgb, w, h, [12, 2, 18, 9]);
    expect(out).toHaveLength(3 * 518 * 518);
    const plane = 518 * 518;
    for (const [c, v] of [[0, 51], [1, 102], [2, 153]]) {
      for (const i of [0, 1234, plane - 1]) expect(out[c * plane + i]).toBeCloseTo(Math.fround(v / 255), 6);
    }
  });

  it('reads only pixels inside the crop and keeps bicubic overshoot', () => {
    const out = cropImage518(rgb, w, h, [6, 0, 14, 10]);
    const red = Array.from(out.subarray(0, 518));
    expect(red[0]).toBeCloseTo(1, 6);
    expect(red[517]).toBeCloseTo(0.2, 6);
    // A = −0.75 rings around the red→grey edge: above 1 before it, below 0.2 after it.
    expect(Math.max(...red)).toBeGreaterThan(1);
    expect(Math.min(...red)).toBeLessThan(0.2);
  });

  it('refuses a crop outside the image', () => {
    expect(() => cropImage518(rgb, w, h, [15, 0, 21, 5])).toThrow(BankArgumentError);
    expect(() => cropImage518(rgb.subarray(1), w, h, [0, 0, 5, 5])).toThrow(BankArgumentError);
  });
});
