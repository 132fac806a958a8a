import { describe, expect, it } from 'vitest';
import type { CocoBox } from '../types.ts';
import { encodeMask, frUncompressed } from './codec.ts';
import { MaskSizeMismatchError } from './errors.ts';
import { bboxIou, rleIou } from './iou.ts';
import { blobMask, pixelAnd, pixelCountOf, pixelOr, rng } from './testing.ts';

describe('rleIou', () => {
  it('is intersection over union, or over the detection for crowd, computed on pixels', () => {
    const rand = rng(17);
    const [h, w] = [40, 56];
    const dt = Array.from({ length: 5 }, () => blobMask(h, w, rand, false));
    dt.push(new Uint8Array(h * w));
    const gt = Array.from({ length: 4 }, () => blobMask(h, w, rand, false));
    const iscrowd = [0, 1, 0, 1];
    const iou = rleIou(dt.map((m) => encodeMask(m, h, w)), gt.map((m) => encodeMask(m, h, w)), iscrowd);
    expect(iou).toHaveLength(dt.length);
    dt.forEach((d, i) => {
      gt.forEach((g, j) => {
        const inter = pixelCountOf(pixelAnd(d, g));
        const denom = iscrowd[j] ? pixelCountOf(d) : pixelCountOf(pixelOr(d, g));
        expect(iou[i][j], `dt ${i} gt ${j}`).toBe(inter === 0 ? 0 : inter / denom);
      });
    });
  });

  it('gives [] when either side is empty', () => {
    const m = frUncompressed([2, 3], 1, 5);
    expect(rleIou([], [m], [0])).toEqual([]);
    expect(rleIou([m], [], [])).toEqual([]);
  });

  it('takes boolean crowd flags', () => {
    const d = frUncompressed([0, 2, 3], 1, 5);
    const g = frUncompressed([0, 4, 1], 1, 5);
    expect(rleIou([d], [g], [true])).toEqual([[1]]);
    expect(rleIou([d], [g], [false])).toEqual([[0.5]]);
  });

  it('refuses iscrowd of the wrong length and overlapping masks of different sizes', () => {
    const a = frUncompressed([0, 6], 2, 3);
    expect(() => rleIou([a], [a], [])).toThrow(RangeError);
    expect(() => rleIou([a], [frUncompressed([0, 6], 3, 2)], [0])).toThrow(MaskSizeMismatchError);
  });
});

describe('bboxIou', () => {
  it('computes box IoU, crowd over the detection area, zero for touching or empty boxes', () => {
    const dt: CocoBox[] = [[0, 0, 10, 10], [5, 5, 10, 10], [10, 0, 5, 5], [2, 2, 0, 4]];
    const gt: CocoBox[] = [[0, 0, 10, 10], [5, 0, 10, 10]];
    expect(bboxIou(dt, gt, [0, 1])).toEqual([
      [1, 50 / 100],
      [25 / 175, 50 / 100],
      [0, 25 / 25],
      [0, 0],
    ]);
  });

  it('gives [] when either side is empty', () => {
    expect(bboxIou([], [[0, 0, 1, 1]], [0])).toEqual([]);
  });
});
