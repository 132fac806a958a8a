// Expected samples come from the official sample_memory_dataset logic run under CPython 3.11 on
// this same hand-made dataset (random.seed(seed) first).
import { describe, expect, it } from 'vitest';
import type { CocoAnnotation, CocoDataset } from '../coco-eval/types.ts';
import { NotEnoughReferencesError, RandomArgumentError, UnknownClassError } from './errors.ts';
import { sampleFewShot } from './few-shot.ts';
import { Mt19937 } from './mt19937.ts';
import { isValidReference } from './validity.ts';

function ann(id: number, imageId: number, categoryId: number, bbox: number[], extra: Partial<CocoAnnotation> = {}): CocoAnnotation {
  return { id, image_id: imageId, category_id: categoryId, bbox, area: bbox[2] * bbox[3], iscrowd: 0, ...extra };
}

const dataset: CocoDataset = {
  images: [1, 2, 3, 4, 5, 6].map((id) => ({ id, width: 200, height: 150 })),
  categories: [
    { id: 2, name: 'bicycle' },
    { id: 5, name: 'airplane' },
    { id: 7, name: 'train' },
  ],
  annotations: [
    ann(10, 1, 5, [20, 20, 50, 50]),
    ann(11, 1, 2, [20, 20, 50, 50]),
    ann(12, 1, 5, [30, 30, 40, 40]),
    ann(13, 2, 5, [5, 20, 50, 50]),
    ann(14, 2, 2, [20, 20, 31, 50]),
    ann(15, 3, 5, [20, 20, 50, 50], { iscrowd: 1 }),
    ann(16, 3, 2, [20, 20, 50, 50], { isimpossible: 1 }),
    ann(17, 4, 5, [140, 20, 50, 50]),
    ann(18, 4, 2, [20, 20, 50, 120]),
    ann(19, 5, 5, [141, 20, 50, 50]),
    ann(20, 5, 7, [20, 20, 50, 50]),
    ann(21, 6, 2, [20, 20, 50, 50]),
    ann(22, 6, 5, [20, 20, 50, 50]),
    ann(23, 6, 7, [20, 20, 50, 50]),
  ],
};

const s = (imgId: number, annId: number) => ({ imgId, annIds: [annId] });

describe('isValidReference', () => {
  const img = { id: 1, width: 200, height: 150 };
  it('keeps boxes ≥ 32 px and ≥ 10 px from every border', () => {
    expect(isValidReference(ann(1, 1, 1, [10, 10, 32, 32]), img)).toBe(true);
    expect(isValidReference(ann(1, 1, 1, [140, 20, 50, 50]), img)).toBe(true);
    expect(isValidReference(ann(1, 1, 1, [20, 20, 50, 120]), img)).toBe(true);
  });
  it('drops crowd, small and border boxes', () => {
    expect(isValidReference(ann(1, 1, 1, [20, 20, 50, 50], { iscrowd: 1 }), img)).toBe(false);
    expect(isValidReference(ann(1, 1, 1, [20, 20, 31.9, 50]), img)).toBe(false);
    expect(isValidReference(ann(1, 1, 1, [9.9, 20, 50, 50]), img)).toBe(false);
    expect(isValidReference(ann(1, 1, 1, [141, 20, 50, 50]), img)).toBe(false);
    expect(isValidReference(ann(1, 1, 1, [20, 20, 50, 121]), img)).toBe(false);
  });
});

describe('sampleFewShot', () => {
  it('orders classes by first annotation and shuffles each with the shared stream', () => {
    expect(sampleFewShot(dataset, { seed: 1, nShot: 2, categoryIds: [2, 5] })).toEqual([
      { categoryId: 5, samples: [s(6, 22), s(1, 10)] },
      { categoryId: 2, samples: [s(1, 11), s(4, 18)] },
    ]);
  });

  it('keeps isimpossible annotations when removeBad is false', () => {
    expect(sampleFewShot(dataset, { seed: 1, nShot: 2, categoryIds: [2, 5], removeBad: false })).toEqual([
      { categoryId: 5, samples: [s(6, 22), s(1, 10)] },
      { categoryId: 2, samples: [s(1, 11), s(3, 16)] },
    ]);
  });

  it('selects by class name and takes one instance per image', () => {
    expect(sampleFewShot(dataset, { seed: 3, nShot: 1, classNames: ['airplane'] })).toEqual([
      { categoryId: 5, samples: [s(1, 10)] },
    ]);
  });

  it('fails like the official script and keeps the classes done before', () => {
    let err: unknown;
    try {
      sampleFewShot(dataset, { seed: 9, nShot: 3, categoryIds: [2, 5, 7] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotEnoughReferencesError);
    const e = err as NotEnoughReferencesError;
    expect(e.message).toBe('Reference for class 7 is not enough');
    expect(e.status).toBe(422);
    expect([e.categoryId, e.found, e.needed]).toEqual([7, 2, 3]);
    expect(e.completed).toEqual([
      { categoryId: 5, samples: [s(1, 12), s(6, 22), s(4, 17)] },
      { categoryId: 2, samples: [s(6, 21), s(4, 18), s(1, 11)] },
    ]);
  });

  it('repeats references under allowDuplicates (LVIS variant)', () => {
    const out = sampleFewShot(dataset, { seed: 9, nShot: 3, categoryIds: [7], allowDuplicates: true });
    expect(out).toHaveLength(1);
    expect(out[0].samples).toHaveLength(3);
    expect(out[0].samples[2]).toEqual(out[0].samples[0]);
  });

  it('continues a given generator instead of reseeding', () => {
    const rng = new Mt19937(1);
    expect(sampleFewShot(dataset, { rng, nShot: 2, categoryIds: [2, 5] })).toEqual(sampleFewShot(dataset, { seed: 1, nShot: 2, categoryIds: [2, 5] }));
    expect(rng.getState()).not.toEqual(new Mt19937(1).getState());
  });

  it('rejects unknown names, bad shot counts and ambiguous selections', () => {
    expect(() => sampleFewShot(dataset, { seed: 1, nShot: 1, classNames: ['aeroplane'] })).toThrow(UnknownClassError);
    expect(() => sampleFewShot(dataset, { seed: 1, nShot: 0, categoryIds: [5] })).toThrow(RandomArgumentError);
    expect(() => sampleFewShot(dataset, { seed: 1, nShot: 1 })).toThrow(RandomArgumentError);
  });
});
