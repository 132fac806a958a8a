import { describe, expect, it } from 'vitest';
import { COCO_CATEGORIES, COCO_NOVEL_CLASSES, UnknownClassError, VOC_CLASSES, VOC_NOVEL_SPLITS } from '../../shared/sampling/index.ts';
import { classNames, selectCategoryIds } from './classes.ts';

const coco = { categories: COCO_CATEGORIES.map(([id, name]) => ({ id, name })) };
const voc = { categories: VOC_CLASSES.map((name, i) => ({ id: i + 1, name })) };

describe('--classes', () => {
  it('coco-novel is the official few_shot_classes: 20 ids in file order', () => {
    const ids = selectCategoryIds('coco-novel', coco);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 16, 17, 18, 19, 20, 21, 44, 62, 63, 64, 67, 72]);
    expect(selectCategoryIds('few_shot_classes', coco)).toEqual(ids);
    expect(classNames('coco-novel', coco)).toEqual([...COCO_NOVEL_CLASSES]);
  });

  it('coco-all and all give the 80 classes; voc-N the PASCAL VOC novel splits', () => {
    expect(selectCategoryIds('coco-all', coco)).toHaveLength(80);
    expect(selectCategoryIds('all', coco)).toHaveLength(80);
    for (const n of [1, 2, 3] as const) {
      const ids = selectCategoryIds(`voc-${n}`, voc);
      expect(ids.map((id) => VOC_CLASSES[id - 1]).sort()).toEqual([...VOC_NOVEL_SPLITS[n]].sort());
    }
  });

  it('custom lists by name, with close names suggested for a typo', () => {
    expect(selectCategoryIds(' dog, cat ', coco)).toEqual([17, 18]);
    try {
      selectCategoryIds('dog,tv monitor', coco);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownClassError);
      expect((err as UnknownClassError).unknown).toEqual(['tv monitor']);
    }
  });
});
