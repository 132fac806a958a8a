// pycocotools `Params.setDetParams` and the normalisation `COCOeval.evaluate` applies to them.
import type { CocoIndex } from './coco-index.ts';
import type { IouType } from './types.ts';

export interface EvalParams {
  iouType: IouType;
  imgIds: number[];
  catIds: number[];
  /** IoU thresholds (numpy linspace doubles: 0.8999999999999999, not 0.9). */
  iouThrs: number[];
  recThrs: number[];
  maxDets: number[];
  /** Inclusive [lo, hi] area ranges. */
  areaRng: [number, number][];
  areaRngLbl: string[];
  /** false pools all categories (proposal-style evaluation). */
  useCats: boolean;
}

/** numpy.linspace(start, stop, num) for num ≥ 2: i·step + start, the last value exactly stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** The parameters `COCOeval(gt, dt, iouType)` starts with: every image and category of the ground truth. */
export function defaultParams(iouType: IouType, gt: CocoIndex): EvalParams {
  return {
    iouType,
    imgIds: gt.getImgIds().sort((a, b) => a - b),
    catIds: gt.getCatIds().sort((a, b) => a - b),
    // int(np.round((0.95 - .5) / .05)) + 1 = 10 and int(np.round(1 / .01)) + 1 = 101 points.
    iouThrs: linspace(0.5, 0.95, 10),
    recThrs: linspace(0.0, 1.0, 101),
    maxDets: [1, 10, 100],
    areaRng: [
      [0, 1e5 ** 2],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
    useCats: true,
  };
}

const uniqueSorted = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

/** What `evaluate()` does to the parameters first: unique sorted ids, sorted maxDets. */
export function normalizeParams(p: EvalParams): EvalParams {
  return {
    ...p,
    imgIds: uniqueSorted(p.imgIds),
    catIds: p.useCats ? uniqueSorted(p.catIds) : [...p.catIds],
    maxDets: [...p.maxDets].sort((a, b) => a - b),
  };
}
