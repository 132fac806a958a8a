import { describe, expect, it } from 'vitest';
import { encodeMask } from '../coco-mask/index.ts';
import { CocoIndex } from './coco-index.ts';
import { CocoInputError } from './errors.ts';
import { loadRes } from './load-results.ts';
import type { CocoResult } from './types.ts';

const gt = new CocoIndex({
  images: [{ id: 7, width: 6, height: 4 }],
  categories: [{ id: 1, name: 'a' }],
  annotations: [],
});

/** 4×6 mask with a 2-wide, 3-high block at x = 1..2, y = 1..3. */
function block(): Uint8Array {
  const m = new Uint8Array(24);
  for (let y = 1; y <= 3; y++) for (let x = 1; x <= 2; x++) m[y * 6 + x] = 1;
  return m;
}

describe('loadRes', () => {
  it('box branch: area w·h, box polygon as segmentation, ids 1..N, iscrowd 0', () => {
    const input: CocoResult[] = [{ image_id: 7, category_id: 1, bbox: [1, 2, 3, 1.5], score: 0.5 }];
    const dt = loadRes(gt, input);
    const a = dt.anns.get(1);
    expect(a).toMatchObject({ id: 1, iscrowd: 0, area: 4.5, segmentation: [[1, 2, 1, 3.5, 4, 3.5, 4, 2]] });
    expect(input[0]).not.toHaveProperty('id');
  });

  it('box branch keeps a given mask but still uses the box area', () => {
    const rle = encodeMask(block(), 4, 6);
    const dt = loadRes(gt, [{ image_id: 7, category_id: 1, bbox: [1, 1, 1, 2], segmentation: rle, score: 1 }]);
    expect(dt.anns.get(1)).toMatchObject({ area: 2, segmentation: rle });
  });

  it('mask branch (first result without bbox): area and bbox from the mask', () => {
    const rle = encodeMask(block(), 4, 6);
    const dt = loadRes(gt, [
      { image_id: 7, category_id: 1, segmentation: rle, score: 1 },
      { image_id: 7, category_id: 1, segmentation: rle, bbox: [0, 0, 1, 1], score: 0.5 },
    ]);
    expect(dt.anns.get(1)).toMatchObject({ id: 1, area: 6, bbox: [1, 1, 2, 3], iscrowd: 0 });
    expect(dt.anns.get(2)).toMatchObject({ id: 2, area: 6, bbox: [0, 0, 1, 1] });
  });

  it('rejects results on unknown images, without score, or without the first result’s kind', () => {
    expect(() => loadRes(gt, [{ image_id: 8, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }])).toThrow(CocoInputError);
    expect(() => loadRes(gt, [{ image_id: 7, category_id: 1, bbox: [0, 0, 1, 1] } as unknown as CocoResult])).toThrow(CocoInputError);
    expect(() =>
      loadRes(gt, [
        { image_id: 7, category_id: 1, bbox: [0, 0, 1, 1], score: 1 },
        { image_id: 7, category_id: 1, segmentation: encodeMask(block(), 4, 6), score: 1 },
      ]),
    ).toThrow(CocoInputError);
  });

  it('an empty result list gives an index without detections', () => {
    const dt = loadRes(gt, []);
    expect(dt.anns.size).toBe(0);
    expect([...dt.imgs.keys()]).toEqual([7]);
  });
});
