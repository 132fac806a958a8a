import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask, frUncompressed, rleToUncompressed } from './codec.ts';
import { stringToCounts } from './counts-string.ts';
import { MaskSizeMismatchError, RleFormatError } from './errors.ts';
import { blobMask, firstDifference, noiseMask, referenceRuns, rng } from './testing.ts';

// Widths divisible by 4 take the word-at-a-time paths, the others the byte paths.
const SIZES: [number, number][] = [
  [1, 1], [1, 9], [9, 1], [2, 3], [7, 9], [8, 8], [33, 17], [64, 48], [427, 640], [31, 30],
];

describe('encodeMask / decodeRle', () => {
  it('give the runs of the pixel-by-pixel definition, and decode back, on random masks', () => {
    const rand = rng(1);
    for (const [h, w] of SIZES) {
      for (const p of [0, 0.02, 0.5, 0.98, 1]) {
        const mask = noiseMask(h, w, p, rand);
        const rle = encodeMask(mask, h, w);
        expect(rle.size).toEqual([h, w]);
        expect(firstDifference(stringToCounts(rle.counts), referenceRuns(mask, h, w)), `${h}x${w} p=${p}`).toBe(-1);
        expect(firstDifference(decodeRle(rle), mask)).toBe(-1);
      }
      const blob = blobMask(h, w, rand);
      const rle = encodeMask(blob, h, w);
      expect(firstDifference(stringToCounts(rle.counts), referenceRuns(blob, h, w))).toBe(-1);
      expect(firstDifference(decodeRle(rle), blob)).toBe(-1);
    }
  });

  it('starts with a zero-length run when the first pixel is foreground', () => {
    const rle = encodeMask(Uint8Array.of(1, 0, 0, 1), 2, 2);
    expect(rleToUncompressed(rle)).toEqual([0, 1, 2, 1]);
  });

  it('treats any non-zero byte as foreground', () => {
    const rand = rng(2);
    const mask = noiseMask(20, 24, 0.4, rand);
    const scaled = mask.map((v, i) => v * (1 + (i % 255)));
    expect(encodeMask(scaled, 20, 24)).toEqual(encodeMask(mask, 20, 24));
  });

  it('handles empty sizes', () => {
    expect(encodeMask(new Uint8Array(0), 0, 5)).toEqual({ size: [0, 5], counts: '0' });
    expect(decodeRle({ size: [0, 5], counts: '0' })).toHaveLength(0);
  });

  it('works on a byte view that does not start on a word boundary', () => {
    const rand = rng(3);
    const backing = new Uint8Array(1 + 16 * 12);
    backing.set(blobMask(16, 12, rand), 1);
    const view = backing.subarray(1);
    expect(Array.from(stringToCounts(encodeMask(view, 16, 12).counts))).toEqual(referenceRuns(view, 16, 12));
  });

  it('round-trips large masks and counts above 2^15 and 2^24', () => {
    const h = 3000;
    const w = 4000;
    const mask = new Uint8Array(h * w);
    mask[h * w - 1] = 1; // one pixel at the very end: a first run of 12 million
    mask.fill(1, 5 * w, 6 * w); // one full row: runs of 1 between runs of 2999
    const rle = encodeMask(mask, h, w);
    // Down each column: 5 background, the row pixel, then background into the next column.
    const expected = [5];
    for (let x = 0; x < w - 1; x++) expected.push(1, h - 1);
    expected.push(1, h - 7, 1);
    expect(firstDifference(rleToUncompressed(rle), expected)).toBe(-1);
    expect(firstDifference(decodeRle(rle), mask)).toBe(-1);
    const single = new Uint8Array(h * w);
    single[(h - 1) * w + (w - 1)] = 1;
    expect(rleToUncompressed(encodeMask(single, h, w))).toEqual([h * w - 1, 1]);
  });

  it('refuses a mask whose length does not match h×w', () => {
    expect(() => encodeMask(new Uint8Array(11), 3, 4)).toThrow(MaskSizeMismatchError);
  });

  it('refuses sizes that are not non-negative integers', () => {
    expect(() => encodeMask(new Uint8Array(0), -1, 0)).toThrow(RleFormatError);
    expect(() => decodeRle({ size: [2.5, 2], counts: '5' })).toThrow(RleFormatError);
  });

  it('refuses RLEs whose runs do not cover the mask exactly', () => {
    expect(() => decodeRle({ size: [3, 4], counts: '14' })).toThrow(RleFormatError); // 5 of 12
    expect(() => decodeRle({ size: [3, 4], counts: '5:' })).toThrow(RleFormatError); // 15 of 12
    expect(() => decodeRle({ size: [3, 4], counts: '1p' })).toThrow(RleFormatError);
  });
});

describe('frUncompressed / rleToUncompressed', () => {
  it('keep the runs exactly as given, zero-length runs included', () => {
    for (const counts of [[12], [0, 12], [2, 0, 3, 4, 3], [0, 0, 0, 12], [1, 2, 3, 6]]) {
      const rle = frUncompressed(counts, 3, 4);
      expect(rle.size).toEqual([3, 4]);
      expect(rleToUncompressed(rle)).toEqual(counts);
    }
  });

  it('decode like the runs say', () => {
    // 2 bg, 0 fg, 3 bg, 4 fg, 3 bg down the columns of a 3×4 mask.
    expect(Array.from(decodeRle(frUncompressed([2, 0, 3, 4, 3], 3, 4)))).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0]);
  });

  it('refuse runs that do not cover the mask, or are not uint32', () => {
    expect(() => frUncompressed([5, 6], 3, 4)).toThrow(RleFormatError);
    expect(() => frUncompressed([5, -1, 8], 3, 4)).toThrow(RleFormatError);
    expect(() => frUncompressed([5.5, 6.5], 3, 4)).toThrow(RleFormatError);
  });
});
