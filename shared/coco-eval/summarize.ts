// pycocotools `COCOeval.summarize` for detections: the 12 standard numbers and the exact lines
// it prints, plus per-category AP.
import type { Accumulated } from './accumulate.ts';
import { CocoInputError } from './errors.ts';
import { numpyMean } from './numpy-mean.ts';
import { formatFixed } from './python-format.ts';

export interface Summary {
  /** AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (−1 when undefined). */
  stats: number[];
  /** The twelve lines pycocotools prints, in order. */
  lines: string[];
}

interface Query {
  ap: boolean;
  iouThr?: number;
  areaRng: string;
  maxDets: number;
}

function indicesWhere<T>(xs: readonly T[], pred: (x: T) => boolean): number[] {
  const out: number[] = [];
  xs.forEach((x, i) => {
    if (pred(x)) out.push(i);
  });
  return out;
}

/**
 * `s[..., aind, mind]` with two index lists: numpy pairs them up (broadcasting a single index),
 * so duplicated labels behave as in pycocotools.
 */
function pairs(aind: number[], mind: number[]): [number, number][] {
  if (aind.length === mind.length) return aind.map((a, i) => [a, mind[i]]);
  if (aind.length === 1) return mind.map((m) => [aind[0], m]);
  if (mind.length === 1) return aind.map((a) => [a, mind[0]]);
  throw new CocoInputError(`area labels (${aind.length}) and maxDets (${mind.length}) matches cannot be broadcast together`);
}

/** The values `_summarize` averages: selected entries > −1, in numpy's C order. */
function selected(acc: Accumulated, q: Query): number[] {
  const p = acc.params;
  const [, R, K, A, M] = acc.counts;
  const ts = q.iouThr === undefined ? p.iouThrs.map((_, i) => i) : indicesWhere(p.iouThrs, (t) => t === q.iouThr);
  const aind = indicesWhere(p.areaRngLbl, (l) => l === q.areaRng);
  const mind = indicesWhere(p.maxDets, (m) => m === q.maxDets);
  const am = aind.length === 0 || mind.length === 0 ? [] : pairs(aind, mind);
  const out: number[] = [];
  for (const t of ts) {
    if (q.ap) {
      for (let r = 0; r < R; r++) {
        for (let k = 0; k < K; k++) {
          for (const [a, m] of am) {
            const v = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
            if (v > -1) out.push(v);
          }
        }
      }
    } else {
      for (let k = 0; k < K; k++) {
        for (const [a, m] of am) {
          const v = acc.recall[((t * K + k) * A + a) * M + m];
          if (v > -1) out.push(v);
        }
      }
    }
  }
  return out;
}

function line(acc: Accumulated, q: Query, value: number): string {
  const p = acc.params;
  const title = (q.ap ? 'Average Precision' : 'Average Recall').padEnd(18);
  const type = q.ap ? '(AP)' : '(AR)';
  const iou =
    q.iouThr === undefined
      ? `${formatFixed(p.iouThrs[0], 2)}:${formatFixed(p.iouThrs[p.iouThrs.length - 1], 2)}`
      : formatFixed(q.iouThr, 2);
  return ` ${title} ${type} @[ IoU=${iou.padEnd(9)} | area=${q.areaRng.padStart(6)} | maxDets=${String(q.maxDets).padStart(3)} ] = ${formatFixed(value, 3)}`;
}

export function summarize(acc: Accumulated): Summary {
  const md = acc.params.maxDets;
  if (md.length < 3) throw new CocoInputError('summarize needs three maxDets (pycocotools reads maxDets[0..2])');
  const queries: Query[] = [
    { ap: true, areaRng: 'all', maxDets: 100 },
    { ap: true, iouThr: 0.5, areaRng: 'all', maxDets: md[2] },
    { ap: true, iouThr: 0.75, areaRng: 'all', maxDets: md[2] },
    { ap: true, areaRng: 'small', maxDets: md[2] },
    { ap: true, areaRng: 'medium', maxDets: md[2] },
    { ap: true, areaRng: 'large', maxDets: md[2] },
    { ap: false, areaRng: 'all', maxDets: md[0] },
    { ap: false, areaRng: 'all', maxDets: md[1] },
    { ap: false, areaRng: 'all', maxDets: md[2] },
    { ap: false, areaRng: 'small', maxDets: md[2] },
    { ap: false, areaRng: 'medium', maxDets: md[2] },
    { ap: false, areaRng: 'large', maxDets: md[2] },
  ];
  const stats: number[] = [];
  const lines: string[] = [];
  for (const q of queries) {
    const values = selected(acc, q);
    const value = values.length === 0 ? -1 : numpyMean(values);
    stats.push(value);
    lines.push(line(acc, q, value));
  }
  return { stats, lines };
}

/**
 * AP@[.50:.95] of each category (params.catIds order) over all areas at maxDets 100 (the largest
 * limit if 100 is not one), as the mean of its precision entries > −1; −1 for a category
 * without ground truth.
 */
export function perCategoryAp(acc: Accumulated): { categoryId: number; ap: number }[] {
  const p = acc.params;
  const [T, R, K, A, M] = acc.counts;
  const a = p.areaRngLbl.indexOf('all');
  const at100 = p.maxDets.indexOf(100);
  const m = at100 >= 0 ? at100 : M - 1;
  const catIds = p.useCats ? p.catIds : [-1];
  return catIds.map((categoryId, k) => {
    const values: number[] = [];
    if (a >= 0) {
      for (let t = 0; t < T; t++) {
        for (let r = 0; r < R; r++) {
          const v = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (v > -1) values.push(v);
        }
      }
    }
    return { categoryId, ap: values.length === 0 ? -1 : numpyMean(values) };
  });
}
