import { describe, expect, it } from 'vitest';
import { CocoIndex } from './coco-index.ts';

const ann = (id: number, image_id: number, category_id: number, area: number, iscrowd = 0) => ({ id, image_id, category_id, area, iscrowd, bbox: [0, 0, 1, 1] });

const index = new CocoIndex({
  images: [{ id: 3, width: 1, height: 1 }, { id: 1, width: 1, height: 1 }],
  categories: [{ id: 9, name: 'dog', supercategory: 'animal' }, { id: 2, name: 'car', supercategory: 'vehicle' }],
  annotations: [ann(10, 1, 9, 50), ann(11, 3, 2, 5, 1), ann(12, 1, 2, 500), ann(10, 3, 9, 7)],
});

describe('CocoIndex', () => {
  it('keeps the first position but the last value of a repeated annotation id', () => {
    expect([...index.anns.keys()]).toEqual([10, 11, 12]);
    expect(index.anns.get(10)?.image_id).toBe(3);
  });

  it('getAnnIds follows the requested image order and filters like pycocotools', () => {
    expect(index.getAnnIds()).toEqual([10, 11, 12, 10]);
    expect(index.getAnnIds({ imgIds: [3, 1] })).toEqual([11, 10, 10, 12]);
    expect(index.getAnnIds({ imgIds: [1], catIds: [2] })).toEqual([12]);
    expect(index.getAnnIds({ areaRng: [5, 500] })).toEqual([10, 10]);
    expect(index.getAnnIds({ iscrowd: 1 })).toEqual([11]);
  });

  it('getCatIds in category order, filtered by name, supercategory or id', () => {
    expect(index.getCatIds()).toEqual([9, 2]);
    expect(index.getCatIds({ catNms: ['car', 'cow'] })).toEqual([2]);
    expect(index.getCatIds({ supNms: ['animal'] })).toEqual([9]);
  });

  it('getImgIds: all, or those holding every given category', () => {
    expect(index.getImgIds()).toEqual([3, 1]);
    expect(index.getImgIds({ catIds: [2] })).toEqual([1, 3]);
    expect(index.getImgIds({ catIds: [2, 9] })).toEqual([1, 3]);
    expect(index.getImgIds({ imgIds: [1], catIds: [2] })).toEqual([1]);
  });
});
