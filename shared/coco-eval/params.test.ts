import { describe, expect, it } from 'vitest';
import { CocoIndex } from './coco-index.ts';
import { defaultParams, linspace, normalizeParams } from './params.ts';

describe('defaultParams', () => {
  const gt = new CocoIndex({
    images: [{ id: 9, width: 10, height: 10 }, { id: 2, width: 10, height: 10 }],
    categories: [{ id: 5, name: 'b' }, { id: 1, name: 'a' }],
    annotations: [],
  });
  const p = defaultParams('bbox', gt);

  it('uses numpy linspace doubles', () => {
    // np.linspace(.5, .95, 10) and np.linspace(0, 1, 101), printed by numpy.
    expect(p.iouThrs).toEqual([0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95]);
    expect(p.recThrs).toHaveLength(101);
    expect([p.recThrs[35], p.recThrs[57], p.recThrs[70], p.recThrs[95], p.recThrs[100]]).toEqual([
      0.35000000000000003, 0.5700000000000001, 0.7000000000000001, 0.9500000000000001, 1,
    ]);
    expect(p.recThrs[34]).toBe(0.34);
  });

  it('takes every image and category of the ground truth, sorted', () => {
    expect(p.imgIds).toEqual([2, 9]);
    expect(p.catIds).toEqual([1, 5]);
    expect(p.maxDets).toEqual([1, 10, 100]);
    expect(p.areaRng).toEqual([[0, 1e10], [0, 1024], [1024, 9216], [9216, 1e10]]);
  });

  it('normalises ids and maxDets like evaluate()', () => {
    const n = normalizeParams({ ...p, imgIds: [9, 2, 9], catIds: [5, 1, 5], maxDets: [100, 1, 10] });
    expect([n.imgIds, n.catIds, n.maxDets]).toEqual([[2, 9], [1, 5], [1, 10, 100]]);
  });

  it('linspace ends exactly at stop', () => {
    expect(linspace(0, 0.3, 4)).toEqual([0, 0.09999999999999999, 0.19999999999999998, 0.3]);
  });
});
