import { describe, expect, it } from 'vitest';
import { MalformedPolygonError } from '../errors.ts';
import type { Rle } from '../types.ts';
import { decodeRle, frUncompressed } from './codec.ts';
import { MaskSizeMismatchError, RleFormatError } from './errors.ts';
import { mergeRles } from './merge.ts';
import { frPoly } from './polygon.ts';
import { annToMask, annToRle } from './segmentation.ts';

const SQUARE = [2, 2, 8, 2, 8, 8, 2, 8];
const TRIANGLE = [10, 1, 18, 4, 12, 9];

describe('annToRle', () => {
  it('unites the parts of a polygon segmentation', () => {
    const rle = annToRle([SQUARE, TRIANGLE], 12, 20);
    expect(rle).toEqual(mergeRles([frPoly(SQUARE, 12, 20), frPoly(TRIANGLE, 12, 20)], false));
    expect(annToMask([SQUARE, TRIANGLE], 12, 20)).toEqual(decodeRle(rle));
  });

  it('accepts later parts of any length (a 4-number part is a line and adds nothing)', () => {
    expect(annToRle([SQUARE, [1, 1, 5, 5]], 12, 20)).toEqual(annToRle([SQUARE], 12, 20));
  });

  it('raises, as pycocotools does, when the first polygon has exactly 4 numbers', () => {
    expect(() => annToRle([[1, 1, 5, 5], SQUARE], 12, 20)).toThrow(MalformedPolygonError);
    expect(() => annToRle([[1, 1, 5, 5], SQUARE], 12, 20)).toThrow(/exactly 4 numbers/);
  });

  it('raises on no polygon or a first polygon of fewer than 4 numbers', () => {
    expect(() => annToRle([], 12, 20)).toThrow(MalformedPolygonError);
    expect(() => annToRle([[1, 2], SQUARE], 12, 20)).toThrow(MalformedPolygonError);
  });

  it('compresses an uncompressed RLE and passes a compressed one through', () => {
    expect(annToRle({ size: [3, 4], counts: [2, 0, 3, 4, 3] }, 3, 4)).toEqual(frUncompressed([2, 0, 3, 4, 3], 3, 4));
    const rle: Rle = { size: [3, 4], counts: '20340' };
    expect(annToRle(rle, 3, 4)).toBe(rle);
  });

  it('refuses an RLE of another size than the image, or with bad counts', () => {
    expect(() => annToRle({ size: [4, 3], counts: '<' }, 3, 4)).toThrow(MaskSizeMismatchError);
    expect(() => annToRle({ size: [3, 4], counts: '5' }, 3, 4)).toThrow(RleFormatError);
    expect(() => annToRle({ size: [3, 4], counts: [5, 6] }, 3, 4)).toThrow(RleFormatError);
  });
});
