import { describe, expect, it } from 'vitest';
import type { Rle } from '../types.ts';
import { encodeMask, frUncompressed } from './codec.ts';
import { MaskSizeMismatchError } from './errors.ts';
import { intersectionArea, intersectionAreaAbove, intersectionAreaCounts, runEnds } from './intersect.ts';
import { rleCounts } from './rle-counts.ts';
import { blobMask, noiseMask, pixelAnd, pixelCountOf, rng } from './testing.ts';

describe('intersectionArea', () => {
  it('equals the pixel-wise count on random pairs', () => {
    const rand = rng(13);
    for (const [h, w] of [[1, 1], [1, 40], [40, 1], [30, 50], [97, 64]]) {
      for (let trial = 0; trial < 10; trial++) {
        const a = trial % 3 === 0 ? noiseMask(h, w, 0.5, rand) : blobMask(h, w, rand);
        const b = trial % 2 === 0 ? noiseMask(h, w, 0.1 * (trial % 10), rand) : blobMask(h, w, rand);
        const ra = encodeMask(a, h, w);
        const rb = encodeMask(b, h, w);
        const expected = pixelCountOf(pixelAnd(a, b));
        expect(intersectionArea(ra, rb)).toBe(expected);
        expect(intersectionArea(rb, ra)).toBe(expected);
        expect(intersectionAreaCounts(rleCounts(ra), rleCounts(rb))).toBe(expected);
      }
    }
  });

  it('counts zero-length runs as nothing', () => {
    // 1×6: a = pixels 2..5 written with a zero-length foreground run first; b = pixels 0..3.
    const a = frUncompressed([1, 0, 1, 4], 1, 6);
    const b = frUncompressed([0, 4, 2], 1, 6);
    expect(intersectionArea(a, b)).toBe(2);
    // Masks that start far apart (the walk bisects to the later start) and one that is empty.
    expect(intersectionAreaCounts([10, 5, 8, 5, 72], [0, 1, 1, 1, 1, 1, 1, 1, 14, 4, 75])).toBe(2);
    expect(intersectionAreaCounts([0, 1, 1, 1, 1, 1, 1, 1, 14, 4, 75], [10, 5, 8, 5, 72])).toBe(2);
    expect(intersectionAreaCounts([100], [0, 100])).toBe(0);
  });

  it('sees a changed counts string on the same object', () => {
    const a: Rle = frUncompressed([0, 6], 2, 3);
    const b = frUncompressed([0, 6], 2, 3);
    expect(intersectionArea(a, b)).toBe(6);
    a.counts = frUncompressed([4, 2], 2, 3).counts;
    expect(intersectionArea(a, b)).toBe(2);
  });

  it('refuses masks of different sizes', () => {
    expect(() => intersectionArea(frUncompressed([0, 6], 2, 3), frUncompressed([0, 6], 3, 2))).toThrow(MaskSizeMismatchError);
  });
});

describe('runEnds', () => {
  it('gives the pixel after each run', () => {
    expect(Array.from(runEnds([0, 2, 3, 0, 1, 4]))).toEqual([0, 2, 5, 5, 6, 10]);
    expect(Array.from(runEnds([1, 2, 3, 4, 5]))).toEqual([1, 3, 6, 10, 15]);
    expect(Array.from(runEnds([]))).toEqual([]);
  });

  it('refuses runs past int32 positions', () => {
    expect(runEnds([2 ** 31 - 2, 1]).at(-1)).toBe(2 ** 31 - 1);
    expect(() => runEnds([2 ** 31 - 1, 1])).toThrow(/2147483648 pixels/);
  });
});

describe('intersectionAreaAbove', () => {
  it('is the intersection when it exceeds the bound, −1 otherwise, for every bound', () => {
    const rand = rng(17);
    for (const [h, w] of [[1, 40], [30, 50], [97, 64]]) {
      for (let trial = 0; trial < 8; trial++) {
        const a = trial % 3 === 0 ? noiseMask(h, w, 0.4, rand) : blobMask(h, w, rand);
        const b = trial % 2 === 0 ? noiseMask(h, w, 0.1 * (trial + 1), rand) : blobMask(h, w, rand);
        const ra = runEnds(rleCounts(encodeMask(a, h, w)));
        const rb = runEnds(rleCounts(encodeMask(b, h, w)));
        const inter = pixelCountOf(pixelAnd(a, b));
        const areaA = pixelCountOf(a);
        const areaB = pixelCountOf(b);
        for (const atMost of [-1, 0, inter - 1, inter, inter + 1, Math.floor(areaA / 2), areaA]) {
          const want = inter > atMost ? inter : -1;
          expect(intersectionAreaAbove(ra, areaA, rb, areaB, atMost), `bound ${atMost}`).toBe(want);
          expect(intersectionAreaAbove(rb, areaB, ra, areaA, atMost), `bound ${atMost}, swapped`).toBe(want);
          expect(intersectionAreaAbove(ra, Infinity, rb, Infinity, atMost), `bound ${atMost}, no areas`).toBe(want);
        }
      }
    }
  });
});
