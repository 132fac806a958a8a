import { describe, expect, it } from 'vitest';
import { decodeRle, encodeMask, frUncompressed, rleToUncompressed } from './codec.ts';
import { MaskSizeMismatchError, RleFormatError } from './errors.ts';
import { mergeRles } from './merge.ts';
import { blobMask, firstDifference, noiseMask, pixelAnd, pixelOr, referenceRuns, rng } from './testing.ts';

describe('mergeRles', () => {
  it('unites and intersects like the pixel-wise OR / AND, in canonical runs', () => {
    const rand = rng(9);
    for (const [h, w] of [[1, 1], [5, 1], [1, 7], [24, 31], [60, 80]]) {
      for (let trial = 0; trial < 6; trial++) {
        const masks = Array.from({ length: 1 + (trial % 4) }, (_, i) =>
          i % 2 === 0 ? blobMask(h, w, rand) : noiseMask(h, w, [0, 0.3, 1][trial % 3], rand),
        );
        const rles = masks.map((m) => encodeMask(m, h, w));
        const union = masks.reduce(pixelOr);
        const inter = masks.reduce(pixelAnd);
        const u = mergeRles(rles, false);
        const i = mergeRles(rles, true);
        expect(u.size).toEqual([h, w]);
        expect(firstDifference(decodeRle(u), union)).toBe(-1);
        expect(firstDifference(decodeRle(i), inter)).toBe(-1);
        expect(firstDifference(rleToUncompressed(u), referenceRuns(union, h, w))).toBe(-1);
        expect(firstDifference(rleToUncompressed(i), referenceRuns(inter, h, w))).toBe(-1);
      }
    }
  });

  it('returns a single mask re-encoded from its runs, and a 0×0 RLE for no masks', () => {
    // "P0" is 0 written with a needless continuation char: pycocotools re-encodes it as "0".
    expect(mergeRles([{ size: [3, 4], counts: 'P0<' }], false)).toEqual({ size: [3, 4], counts: '0<' });
    expect(mergeRles([], true)).toEqual({ size: [0, 0], counts: '' });
  });

  it('keeps pycocotools walk on zero-length runs when its answer is still a mask', () => {
    // Union of an empty mask written with a zero-length run and runs [1, 2, 2] of a 1×5 mask.
    expect(rleToUncompressed(mergeRles([frUncompressed([2, 0, 3], 1, 5), frUncompressed([1, 2, 2], 1, 5)], false))).toEqual([1, 2, 2]);
  });

  it('refuses inputs on which pycocotools stops before the last pixel', () => {
    const a = frUncompressed([2, 0, 1, 2], 1, 5);
    expect(() => mergeRles([a, a], false)).toThrow(RleFormatError);
  });

  it('refuses masks of different sizes', () => {
    expect(() => mergeRles([frUncompressed([12], 3, 4), frUncompressed([12], 4, 3)], false)).toThrow(MaskSizeMismatchError);
  });
});
