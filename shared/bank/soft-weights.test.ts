import { describe, expect, it } from 'vitest';
import { BankArgumentError } from './errors.ts';
import { cropMask, softWeights37 } from './soft-weights.ts';

describe('cropMask', () => {
  it('cuts the half-open window out of a row-major mask', () => {
    // 3×4 mask with values 0..11 standing in for pixels.
    const mask = Uint8Array.from({ length: 12 }, (_, i) => i);
    expect(Array.from(cropMask(mask, 3, 4, [1, 1, 3, 3]))).toEqual([5, 6, 9, 10]);
    expect(() => cropMask(mask, 3, 4, [1, 1, 5, 3])).toThrow(BankArgumentError);
  });
});

describe('softWeights37', () => {
  it('gives weight 1 to every patch of a full mask', () => {
    const { soft518, weights37, sum } = softWeights37(new Uint8Array(30 * 40).fill(1), 30, 40, [5, 2, 35, 28]);
    expect(soft518.every((v) => v === 1)).toBe(true);
    expect(weights37.every((v) => v === 1)).toBe(true);
    expect(sum).toBe(37 * 37);
  });

  it('samples the bilinear soft mask at pixel (14r, 14c) of the crop', () => {
    // Left half of a 10×10 crop set: the soft mask falls from 1 to 0 across the middle columns.
    const h = 12;
    const w = 10;
    const mask = new Uint8Array(h * w);
    for (let y = 0; y < h; y++) mask.fill(1, y * w, y * w + 5);
    const { soft518, weights37, sum } = softWeights37(mask, h, w, [0, 1, 10, 11]);
    let total = 0;
    for (let r = 0; r < 37; r++) {
      for (let c = 0; c < 37; c++) {
        expect(weights37[r * 37 + c]).toBe(soft518[14 * r * 518 + 14 * c]);
        // Every crop row is the same; the vertical float32 pass may move a value by an ulp.
        expect(weights37[r * 37 + c]).toBeCloseTo(weights37[c], 6);
        total += weights37[r * 37 + c];
      }
    }
    expect(sum).toBe(total);
    const row = Array.from(weights37.subarray(0, 37));
    expect(row[0]).toBe(1);
    expect(row[36]).toBe(0);
    expect(row.some((v) => v > 0 && v < 1)).toBe(true);
    expect(row.every((v, i) => i === 0 || v <= row[i - 1])).toBe(true);
    // Column 259 maps to source x = 259.5·10/518 − 0.5 ≈ 4.51: just past the last set column.
    expect(soft518[259]).toBeCloseTo(1 - (Math.fround(10 / 518) * 259.5 - 0.5 - 4), 6);
  });

  it('sums to zero for a 1-pixel-tall object that no sample point reaches', () => {
    const mask = new Uint8Array(300 * 400);
    mask.fill(1, 150 * 400 + 100, 150 * 400 + 200);
    expect(softWeights37(mask, 300, 400, [90, 90, 210, 210]).sum).toBe(0);
  });
});
