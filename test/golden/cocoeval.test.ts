// Golden runner for cocoeval/ (FORMAT.md §3.6): pycocotools COCOeval, bbox and segm.
// Everything is compared exactly (tolerance 0): the evaluation is float64 bookkeeping in the
// same order as pycocotools/numpy, so bit-identical results are the target.
import { expect } from 'vitest';
import {
  CocoIndex,
  accumulate,
  defaultParams,
  evaluate,
  loadRes,
  summarize,
  type EvalParams,
  type IouType,
} from '../../shared/coco-eval/index.ts';
import { describeGolden, expectClose, type NdArray } from './fixtures.ts';

const IOU_TYPES: readonly IouType[] = ['bbox', 'segm'];

function checkShape(a: NdArray, shape: number[], what: string): void {
  expect(a.dtype, `${what} dtype`).toBe('float64');
  expect(a.shape, `${what} shape`).toEqual(shape);
}

describeGolden('cocoeval', (c) => {
  const gt = new CocoIndex(c.input.gt);
  const dt = loadRes(gt, c.input.results);
  const types = Object.keys(c.expected);
  expect(types.length).toBeGreaterThan(0);
  for (const iouType of types) {
    if (!IOU_TYPES.includes(iouType as IouType)) throw new Error(`unknown iou type '${iouType}'`);
    const exp = c.expected[iouType];
    const defaults = defaultParams(iouType as IouType, gt);
    // pycocotools' constants (linspace doubles, maxDets, area ranges) must be what the case used.
    for (const key of ['iouThrs', 'recThrs', 'maxDets', 'areaRng', 'areaRngLbl'] as const) {
      expect(defaults[key], `${iouType} default ${key}`).toEqual(c.params[key]);
    }
    const params: EvalParams = { ...defaults, imgIds: c.params.imgIds, catIds: c.params.catIds };
    const acc = accumulate(evaluate(gt, dt, params));
    const [T, R, K, A, M] = acc.counts;
    const { stats, lines } = summarize(acc);

    expectClose(stats, exp.stats, 0, `${iouType} stats`);
    expect(lines, `${iouType} summary`).toEqual(exp.summary_text);
    checkShape(exp.recall, [T, K, A, M], `${iouType} recall`);
    expectClose(acc.recall, exp.recall.data, 0, `${iouType} recall`);
    for (const key of ['precision', 'scores'] as const) {
      if (exp[key] === undefined) continue;
      checkShape(exp[key], [T, R, K, A, M], `${iouType} ${key}`);
      expectClose(acc[key], exp[key].data, 0, `${iouType} ${key}`);
    }
  }
});
