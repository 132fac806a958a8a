import { describe, expect, it } from 'vitest';
import { encodeMask } from '../coco-mask/index.ts';
import { CocoInputError } from './errors.ts';
import { semanticMiou, semanticMiouFromCoco } from './semantic-miou.ts';

/** Row-major mask from rows of '.'/'#'. */
function mask(...rows: string[]): Uint8Array {
  return Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
}

describe('semanticMiou', () => {
  it('sums intersections and unions over images before dividing', () => {
    const r = semanticMiou(
      [
        {
          height: 2,
          width: 4,
          gt: [{ categoryId: 1, mask: mask('##..', '##..') }],
          pred: [{ categoryId: 1, mask: mask('###.', '....'), score: 0.9 }],
        },
        {
          height: 2,
          width: 4,
          gt: [{ categoryId: 1, mask: mask('....', '...#') }],
          pred: [{ categoryId: 1, mask: mask('....', '..##'), score: 0.9 }],
        },
      ],
      { classIds: [1] },
    );
    // Image 1: ∩ 2, ∪ 5; image 2: ∩ 1, ∪ 2 → 3/7 (not the mean of 2/5 and 1/2).
    expect(r.perClass).toEqual([{ categoryId: 1, intersection: 3, union: 7, iou: 3 / 7 }]);
    expect(r.miou).toBe(3 / 7);
  });

  it('merges instances per class and lets the higher score win overlaps', () => {
    const r = semanticMiou(
      [
        {
          height: 1,
          width: 6,
          gt: [
            { categoryId: 1, mask: mask('##....') },
            { categoryId: 1, mask: mask('.##...') },
            { categoryId: 2, mask: mask('....##') },
          ],
          pred: [
            { categoryId: 2, mask: mask('..####'), score: 0.8 },
            { categoryId: 1, mask: mask('####..'), score: 0.3 },
          ],
        },
      ],
      { classIds: [1, 2] },
    );
    // Pred label map: 1 1 2 2 2 2 (class 2 scores higher); gt: 1 1 1 0 2 2.
    expect(r.perClass).toEqual([
      { categoryId: 1, intersection: 2, union: 3, iou: 2 / 3 },
      { categoryId: 2, intersection: 2, union: 4, iou: 0.5 },
    ]);
    expect(r.miou).toBe((2 / 3 + 0.5) / 2);
  });

  it('ignores classes outside the split, drops low scores and handles absent classes', () => {
    const image = {
      height: 1,
      width: 4,
      gt: [
        { categoryId: 1, mask: mask('###.') },
        { categoryId: 9, mask: mask('.#..') },
      ],
      pred: [
        { categoryId: 1, mask: mask('####'), score: 0.5 },
        { categoryId: 1, mask: mask('#...'), score: 0.01 },
      ],
    };
    // gt map: 1 (9) 1 0 → class 1 ∩ 2, ∪ 4 (the pixel under class 9 is a false positive).
    const ignore = semanticMiou([image], { classIds: [1, 3], scoreThreshold: 0.1 });
    expect(ignore.perClass[0]).toEqual({ categoryId: 1, intersection: 2, union: 4, iou: 0.5 });
    expect(ignore.perClass[1].iou).toBeNaN();
    expect(ignore.miou).toBe(0.5);
    expect(semanticMiou([image], { classIds: [1, 3], absentClass: 'zero' }).miou).toBe(0.25);
  });

  it('reads COCO ground truth (polygons) and RLE results', () => {
    const gt = {
      images: [{ id: 1, width: 4, height: 4 }],
      categories: [{ id: 5, name: 'x' }],
      annotations: [{ id: 1, image_id: 1, category_id: 5, bbox: [0, 0, 2, 4], area: 8, iscrowd: 0, segmentation: [[0, 0, 2, 0, 2, 4, 0, 4]] }],
    };
    const pred = encodeMask(mask('##..', '##..', '##..', '##..'), 4, 4);
    const r = semanticMiouFromCoco(gt, [{ image_id: 1, category_id: 5, score: 1, segmentation: pred }], { classIds: [5] });
    expect(r.miou).toBe(1);
    expect(() => semanticMiou([{ height: 2, width: 2, gt: [{ categoryId: 1, mask: new Uint8Array(3) }], pred: [] }], { classIds: [1] })).toThrow(CocoInputError);
  });
});
