import { describe, expect, it } from 'vitest';
import {
  COCO_20I_FOLDS,
  COCO_ALL_CLASSES,
  COCO_BASE_CLASSES,
  COCO_CATEGORIES,
  COCO_NOVEL_CLASSES,
  VOC_CLASSES,
  VOC_NOVEL_SPLITS,
  classSplit,
  closeClassNames,
  resolveCategoryIds,
} from './class-splits.ts';
import { UnknownClassError } from './errors.ts';

const cocoCategories = COCO_CATEGORIES.map(([id, name]) => ({ id, name }));

describe('class splits', () => {
  it('COCO: 80 unique classes, 20 novel + 60 base', () => {
    expect(new Set(COCO_ALL_CLASSES).size).toBe(80);
    expect(COCO_NOVEL_CLASSES).toHaveLength(20);
    expect(COCO_BASE_CLASSES).toHaveLength(60);
    expect(COCO_NOVEL_CLASSES.every((n) => COCO_ALL_CLASSES.includes(n))).toBe(true);
  });

  it('novel classes map to the label order of spec §5.3', () => {
    expect(resolveCategoryIds(cocoCategories, COCO_NOVEL_CLASSES)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19, 20, 21, 44, 62, 63, 64, 67, 72]);
  });

  it('VOC novel splits hold 5 VOC classes each', () => {
    expect(VOC_NOVEL_SPLITS[1]).toEqual(['bird', 'bus', 'cow', 'motorbike', 'sofa']);
    expect(VOC_NOVEL_SPLITS[2]).toEqual(['aeroplane', 'bottle', 'cow', 'horse', 'sofa']);
    expect(VOC_NOVEL_SPLITS[3]).toEqual(['boat', 'cat', 'motorbike', 'sheep', 'sofa']);
    for (const split of Object.values(VOC_NOVEL_SPLITS)) expect(split.every((n) => VOC_CLASSES.includes(n))).toBe(true);
  });

  it('COCO-20i fold i holds every 4th COCO class starting at i', () => {
    for (const fold of [1, 2, 3, 4] as const) {
      expect(COCO_20I_FOLDS[fold]).toEqual(COCO_ALL_CLASSES.filter((_, i) => i % 4 === fold - 1));
    }
  });

  it('looks splits up by their official names', () => {
    expect(classSplit('few_shot_classes')).toBe(COCO_NOVEL_CLASSES);
    expect(classSplit('pascal_voc_split_2')).toEqual(VOC_NOVEL_SPLITS[2]);
    expect(classSplit('toString')).toBeUndefined();
  });
});

describe('resolveCategoryIds', () => {
  it('returns ids in dataset category order, whatever the name order', () => {
    const cats = [{ id: 9, name: 'boat' }, { id: 16, name: 'bird' }, { id: 3, name: 'car' }];
    expect(resolveCategoryIds(cats, ['car', 'boat'])).toEqual([9, 3]);
  });

  it('lists close names for unknown ones', () => {
    let err: unknown;
    try {
      resolveCategoryIds(cocoCategories, ['pottedplant', 'aeroplane', 'person', 'zzzz']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownClassError);
    const e = err as UnknownClassError;
    expect(e.status).toBe(400);
    expect(e.unknown).toEqual(['pottedplant', 'aeroplane', 'zzzz']);
    expect(e.suggestions.pottedplant[0]).toBe('potted plant');
    expect(e.suggestions.aeroplane).toContain('airplane');
    expect(e.suggestions.zzzz).toEqual([]);
    expect(e.message).toContain('"pottedplant" (did you mean "potted plant"');
  });

  it('closeClassNames ranks exact-letter matches first', () => {
    expect(closeClassNames('TV', ['tie', 'tvmonitor', 'tv'])).toEqual(['tv']);
    expect(closeClassNames('dinning table', COCO_ALL_CLASSES)).toEqual(['dining table']);
  });
});
