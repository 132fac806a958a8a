// A hand-made scene: an exact hit, a detection inside a crowd region (ignored), a false
// positive, a 0.77-IoU hit on another image, a second category, and a detection of a category
// without ground truth. Expected numbers were printed by pycocotools 2.0 (numpy 1.24) on it.
import { describe, expect, it } from 'vitest';
import { accumulate } from './accumulate.ts';
import { CocoIndex } from './coco-index.ts';
import { runCocoEval } from './coco-eval.ts';
import { evaluate } from './evaluate.ts';
import { loadRes } from './load-results.ts';
import { defaultParams } from './params.ts';
import type { CocoDataset, CocoResult, IouType } from './types.ts';

const square = (x: number, y: number, s: number) => [[x, y, x + s, y, x + s, y + s, x, y + s]];

const gtData: CocoDataset = {
  images: [1, 2, 3].map((id) => ({ id, width: 100, height: 100 })),
  categories: [{ id: 1, name: 'a' }, { id: 2, name: 'b' }, { id: 3, name: 'c' }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], area: 400, iscrowd: 0, segmentation: square(10, 10, 20) },
    { id: 2, image_id: 1, category_id: 1, bbox: [50, 50, 40, 40], area: 1600, iscrowd: 1, segmentation: square(50, 50, 40) },
    { id: 3, image_id: 1, category_id: 2, bbox: [0, 0, 50, 50], area: 2500, iscrowd: 0, segmentation: square(0, 0, 50) },
    { id: 4, image_id: 2, category_id: 1, bbox: [20, 20, 30, 30], area: 900, iscrowd: 0, segmentation: square(20, 20, 30) },
  ],
};

const results: CocoResult[] = [
  { image_id: 1, category_id: 1, bbox: [10, 10, 20, 20], score: 0.9 },
  { image_id: 1, category_id: 1, bbox: [55, 55, 10, 10], score: 0.8 },
  { image_id: 1, category_id: 1, bbox: [70, 0, 10, 10], score: 0.7 },
  { image_id: 2, category_id: 1, bbox: [22, 22, 30, 30], score: 0.6 },
  { image_id: 1, category_id: 2, bbox: [0, 0, 50, 40], score: 0.5 },
  { image_id: 3, category_id: 3, bbox: [0, 0, 5, 5], score: 0.4 },
];

const STATS = [
  0.7014851485148514, 0.9174917491749174, 0.9174917491749174, 0.7029702970297027, 0.6999999999999998, -1.0, 0.75, 0.75,
  0.75, 0.8, 0.7, -1.0,
];

describe.each(['bbox', 'segm'] as IouType[])('COCOeval %s on a hand-made scene', (iouType) => {
  const gt = new CocoIndex(gtData);
  const dt = loadRes(gt, results);
  const ev = evaluate(gt, dt, defaultParams(iouType, gt));

  it('matches greedily, crowd matches are ignored, gt ignore sorts last', () => {
    const e = ev.evalImgs[0];
    expect(e).not.toBeNull();
    if (e === null) return;
    expect([e.imageId, e.categoryId]).toEqual([1, 1]);
    expect(e.dtIds).toEqual([1, 2, 3]);
    expect(e.gtIds).toEqual([1, 2]);
    expect([...e.gtIgnore]).toEqual([0, 1]);
    const T = 10;
    expect([...e.dtMatches.subarray(0, 3)]).toEqual([1, 2, 0]);
    expect([...e.dtMatches.subarray((T - 1) * 3, T * 3)]).toEqual([1, 2, 0]);
    expect([...e.dtIgnore.subarray(0, 3)]).toEqual([0, 1, 0]);
    expect([...e.gtMatches.subarray(0, 2)]).toEqual([1, 2]);
  });

  it('has no entry for image/category pairs without gt and dt', () => {
    // index = (k·A + a)·I + i: category 2, area 'all', image 2.
    expect(ev.evalImgs[(1 * 4 + 0) * 3 + 1]).toBeNull();
  });

  it('accumulates recall, precision and scores', () => {
    const acc = accumulate(ev);
    const [T, R, K, A, M] = acc.counts;
    expect(acc.counts).toEqual([10, 101, 3, 4, 3]);
    const rec = (t: number, k: number) => acc.recall[((t * K + k) * A + 0) * M + 2];
    expect([rec(0, 0), rec(0, 1), rec(0, 2)]).toEqual([1, 1, -1]);
    expect([rec(9, 0), rec(9, 1)]).toEqual([0.5, 0]);
    const at = (arr: Float64Array, r: number) => arr[((0 * R + r) * K + 0) * A * M + 0 * M + 2];
    expect([0, 50, 100].map((r) => at(acc.precision, r))).toEqual([0.9999999999999998, 0.9999999999999998, 0.6666666666666666]);
    expect([0, 50, 100].map((r) => at(acc.scores, r))).toEqual([0.9, 0.9, 0.6]);
    expect(T).toBe(10);
  });

  it('summarizes and reports per-category AP', () => {
    const report = runCocoEval(gtData, results, iouType);
    expect(report.stats).toEqual(STATS);
    expect(report.lines[0]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.701');
    expect(report.lines[5]).toBe(' Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = -1.000');
    expect(report.lines[6]).toBe(' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.750');
    expect(report.text.split('\n')).toEqual(report.lines);
    expect(report.perCategoryAp).toEqual([
      { categoryId: 1, ap: 0.7029702970297027 },
      { categoryId: 2, ap: 0.6999999999999998 },
      { categoryId: 3, ap: -1 },
    ]);
  });
});

describe('COCOeval options', () => {
  it('restricting imgIds drops the other images', () => {
    const report = runCocoEval(gtData, results, 'bbox', { imgIds: [2] });
    // Only image 2: one hit of category 1 at IoU 0.77, matched for t ≤ 0.75.
    expect(report.params.imgIds).toEqual([2]);
    expect(report.stats).toEqual([
      0.5999999999999999, 0.9999999999999999, 0.9999999999999999, 0.5999999999999999, -1, -1, 0.6, 0.6, 0.6, 0.6, -1, -1,
    ]);
  });

  it('useCats false pools categories', () => {
    const pooled = runCocoEval(gtData, results, 'bbox', { useCats: false });
    expect(pooled.counts[2]).toBe(1);
    expect(pooled.perCategoryAp).toHaveLength(1);
    expect(pooled.stats).toEqual([
      0.6514851485148515, 0.8341584158415841, 0.8341584158415841, 0.7029702970297027, 0.6999999999999998, -1,
      0.5333333333333332, 0.7666666666666666, 0.7666666666666666, 0.8, 0.7, -1,
    ]);
  });
});
