import { describe, expect, it } from 'vitest';
import type { CocoDataset } from '../../shared/coco-eval/index.ts';
import { MAX_ANNOTATIONS_PER_IMAGE } from '../../shared/api/gpu-node.ts';
import { planReferences } from './references.ts';

const square = [10, 10, 50, 10, 50, 50, 10, 50];
const dataset: CocoDataset = {
  images: [
    { id: 1, width: 100, height: 80, file_name: 'a.jpg' },
    { id: 2, width: 100, height: 80, file_name: 'b.jpg' },
  ],
  categories: [
    { id: 30, name: 'cup' },
    { id: 4, name: 'dog' },
  ],
  annotations: [
    { id: 11, image_id: 1, category_id: 30, bbox: [10, 10, 40, 40], area: 1600, segmentation: [square] },
    { id: 12, image_id: 1, category_id: 4, bbox: [5, 5, 20, 20], area: 400 },
    { id: 13, image_id: 2, category_id: 30, bbox: [1, 2, 3, 4], area: 12, segmentation: { size: [80, 100], counts: '0' }, iscrowd: 0 },
    { id: 14, image_id: 2, category_id: 4, bbox: [0, 0, 100, 80], area: 8000, segmentation: { size: [80, 100], counts: [0, 8000] }, iscrowd: 1 },
    { id: 15, image_id: 2, category_id: 4, bbox: [2, 2, 9, 9], area: 81, segmentation: [[1, 2, 3, 4], square] },
  ],
};

describe('planReferences', () => {
  it('every non-crowd annotation: masks as given with the annotation bbox, box-only ones as boxes; labels by ascending id', () => {
    const plan = planReferences(dataset);
    expect(plan.classes.map((c) => c.id)).toEqual([4, 30]);
    expect(Object.fromEntries(plan.counts)).toEqual({ 30: 2, 4: 2 });
    const entries = plan.jobs.flatMap((j) => j.entries.map((e) => ({ image: j.image.id, ...e })));
    expect(entries.map((e) => [e.image, e.annId, e.referenceId])).toEqual([
      [1, 11, 'ann-11'],
      [1, 12, 'ann-12'],
      [2, 13, 'ann-13'],
      [2, 15, 'ann-15'],
    ]);
    expect(entries[0].annotation).toEqual({ class: 'cup', polygons: [square], bbox: [10, 10, 40, 40] });
    expect(entries[1].annotation).toEqual({ class: 'dog', box: [5, 5, 20, 20] });
    expect(entries[2].annotation).toEqual({ class: 'cup', mask: { size: [80, 100], counts: '0' }, bbox: [1, 2, 3, 4] });
    // A degenerate two-point polygon is dropped, the usable one kept.
    expect(entries[3].annotation).toEqual({ class: 'dog', polygons: [square], bbox: [2, 2, 9, 9] });
  });

  it('--boxes-only and --classes', () => {
    const plan = planReferences(dataset, { boxesOnly: true, categoryIds: [30] });
    expect(plan.classes.map((c) => c.name)).toEqual(['cup']);
    expect(plan.jobs.flatMap((j) => j.entries.map((e) => e.annotation))).toEqual([
      { class: 'cup', box: [10, 10, 40, 40] },
      { class: 'cup', box: [1, 2, 3, 4] },
    ]);
  });

  it('a sample file: the first ann id of each entry, repeats stored again under their own ids', () => {
    const plan = planReferences(dataset, {
      samples: [
        { categoryId: 30, samples: [{ imgId: 2, annIds: [13, 11] }, { imgId: 2, annIds: [13] }] },
        { categoryId: 4, samples: [{ imgId: 1, annIds: [12] }] },
      ],
    });
    expect(plan.jobs.map((j) => [j.image.id, j.entries.map((e) => e.referenceId)])).toEqual([
      [2, ['ann-13', 'ann-13.2']],
      [1, ['ann-12']],
    ]);
    expect(() => planReferences(dataset, { samples: [{ categoryId: 30, samples: [{ imgId: 1, annIds: [12] }] }] })).toThrow(/annotation 12/);
    expect(() => planReferences(dataset, { samples: [{ categoryId: 99, samples: [] }] })).toThrow(/category 99/);
  });

  it('splits an image with more references than one request takes', () => {
    const many: CocoDataset = {
      ...dataset,
      annotations: Array.from({ length: MAX_ANNOTATIONS_PER_IMAGE + 3 }, (_, i) => ({ id: 100 + i, image_id: 1, category_id: 4, bbox: [1, 1, 5, 5], area: 25 })),
    };
    expect(planReferences(many).jobs.map((j) => j.entries.length)).toEqual([MAX_ANNOTATIONS_PER_IMAGE, 3]);
  });
});
