// pycocotools `COCOeval.accumulate`: precision/recall curves per IoU threshold, category, area
// range and detection limit, with its interpolation and searchsorted lookups.
import type { EvalImage, Evaluation } from './evaluate.ts';
import type { EvalParams } from './params.ts';
import { orderByScoreDesc } from './score-order.ts';

/** np.spacing(1): added to tp + fp so that 0/0 gives 0. */
const EPS = 2.220446049250313e-16;

export interface Accumulated {
  params: EvalParams;
  /** [T, R, K, A, M] in C order. */
  counts: [T: number, R: number, K: number, A: number, M: number];
  /** Interpolated precision at each recall threshold; −1 where a category has no (non-ignored) gt. */
  precision: Float64Array;
  /** [T, K, A, M]: recall reached with all detections; −1 as above. */
  recall: Float64Array;
  /** [T, R, K, A, M]: score of the detection where each recall threshold is reached. */
  scores: Float64Array;
}

/** np.searchsorted(a, x, side='left') on the first n entries of a sorted array. */
function searchLeft(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function accumulate(evaluation: Evaluation): Accumulated {
  const { params: p, evalImgs } = evaluation;
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = p.useCats ? p.catIds.length : 1;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const I = p.imgIds.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const maxDetAll = p.maxDets[M - 1];

  for (let k = 0; k < K; k++) {
    // Which images take part and their detection scores do not depend on the area range, so
    // the concatenated columns and their score order are built once per category. The order
    // for a smaller maxDet is the same order restricted to columns d < maxDet: a stable sort
    // keeps the relative order of any subset.
    const present: number[] = [];
    for (let i = 0; i < I; i++) if (evalImgs[k * A * I + i] !== null) present.push(i);
    if (present.length === 0) continue;
    const colImg: number[] = [];
    const colDet: number[] = [];
    const colScore: number[] = [];
    present.forEach((i, j) => {
      const e = evalImgs[k * A * I + i] as EvalImage;
      const n = Math.min(maxDetAll, e.dtScores.length);
      for (let d = 0; d < n; d++) {
        colImg.push(j);
        colDet.push(d);
        colScore.push(e.dtScores[d]);
      }
    });
    const fullOrder = orderByScoreDesc(colScore);
    const orders = p.maxDets.map((maxDet) => fullOrder.filter((c) => colDet[c] < maxDet));

    const nCols = colScore.length;
    // Per IoU threshold and column: 0 ignored, 1 true positive, 2 false positive.
    const kind = new Uint8Array(T * nCols);
    for (let a = 0; a < A; a++) {
      const E = present.map((i) => evalImgs[(k * A + a) * I + i] as EvalImage);
      let npig = 0;
      for (const e of E) for (const ig of e.gtIgnore) if (ig === 0) npig++;
      if (npig === 0) continue;
      for (let c = 0; c < nCols; c++) {
        const e = E[colImg[c]];
        const D = e.dtScores.length;
        for (let t = 0; t < T; t++) {
          const at = t * D + colDet[c];
          kind[t * nCols + c] = e.dtIgnore[at] !== 0 ? 0 : e.dtMatches[at] !== 0 ? 1 : 2;
        }
      }
      for (let m = 0; m < M; m++) {
        const order = orders[m];
        const nd = order.length;
        const rc = new Float64Array(nd);
        const pr = new Float64Array(nd);
        for (let t = 0; t < T; t++) {
          let tp = 0;
          let fp = 0;
          const row = t * nCols;
          for (let i = 0; i < nd; i++) {
            const f = kind[row + order[i]];
            if (f === 1) tp++;
            else if (f === 2) fp++;
            rc[i] = tp / npig;
            pr[i] = tp / (fp + tp + EPS);
          }
          recall[((t * K + k) * A + a) * M + m] = nd > 0 ? rc[nd - 1] : 0;
          // Precision envelope: make it non-increasing from the right.
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          const base = (t * R * K + k) * A * M + a * M + m;
          for (let r = 0; r < R; r++) {
            const pi = searchLeft(rc, nd, p.recThrs[r]);
            // pycocotools stops at the first threshold beyond the curve; the rest stay 0.
            if (pi >= nd) {
              for (let rr = r; rr < R; rr++) {
                precision[base + rr * K * A * M] = 0;
                scores[base + rr * K * A * M] = 0;
              }
              break;
            }
            precision[base + r * K * A * M] = pr[pi];
            scores[base + r * K * A * M] = colScore[order[pi]];
          }
        }
      }
    }
  }
  return { params: p, counts: [T, R, K, A, M], precision, recall, scores };
}
