// pycocotools `COCOeval.evaluate`: per image and category, IoUs of the top-scored detections
// against the ground truth, then greedy matching at every IoU threshold and area range.
import { annToRle, bboxIou, rleIou } from '../coco-mask/index.ts';
import type { CocoBox, Rle } from '../types.ts';
import type { CocoIndex } from './coco-index.ts';
import { CocoInputError } from './errors.ts';
import { normalizeParams, type EvalParams } from './params.ts';
import { orderByScoreDesc } from './score-order.ts';
import type { CocoAnnotation } from './types.ts';

/** One annotation as the evaluation sees it. */
interface EvalAnn {
  id: number;
  area: number;
  /** int(iscrowd): IoU against a crowd region divides by the detection's area only. */
  iscrowd: number;
  /** Ground truth: ignored (crowd). */
  ignore: boolean;
  score: number;
  bbox: CocoBox;
  rle: Rle | null;
}

/** pycocotools' evalImgs entry. Matrices are row-major [T, D] / [T, G]. */
export interface EvalImage {
  imageId: number;
  categoryId: number;
  aRng: [number, number];
  maxDet: number;
  dtIds: number[];
  gtIds: number[];
  /** Id of the matched ground truth, 0 when unmatched. */
  dtMatches: Float64Array;
  /** Id of the matched detection, 0 when unmatched. */
  gtMatches: Float64Array;
  dtScores: number[];
  gtIgnore: Uint8Array;
  dtIgnore: Uint8Array;
}

export interface Evaluation {
  /** The normalised parameters the evaluation ran with. */
  params: EvalParams;
  /** Indexed [category][area range][image] flattened, null where an image has neither gt nor dt. */
  evalImgs: (EvalImage | null)[];
}

function toEvalAnn(ann: CocoAnnotation, index: CocoIndex, isGt: boolean, segm: boolean): EvalAnn {
  let rle: Rle | null = null;
  if (segm) {
    const img = index.imgs.get(ann.image_id);
    if (img === undefined) throw new CocoInputError(`annotation ${ann.id} refers to image ${ann.image_id}, which is not in the dataset`);
    if (ann.segmentation === undefined) throw new CocoInputError(`annotation ${ann.id} has no segmentation`);
    rle = annToRle(ann.segmentation, img.height, img.width);
  }
  const iscrowd = Number(ann.iscrowd ?? 0);
  return {
    id: ann.id,
    area: ann.area,
    iscrowd,
    ignore: isGt && Boolean(ann.iscrowd),
    score: isGt ? 0 : Number(ann.score),
    bbox: ann.bbox as CocoBox,
    rle,
  };
}

type Grouped = Map<number, Map<number, EvalAnn[]>>;

/** Anns of the evaluated images and categories, grouped by image then category in index order. */
function group(index: CocoIndex, p: EvalParams, isGt: boolean): Grouped {
  const ids = index.getAnnIds({ imgIds: p.imgIds, catIds: p.useCats ? p.catIds : [] });
  const byImage = new Map<number, Map<number, EvalAnn[]>>();
  for (const ann of index.loadAnns(ids)) {
    const e = toEvalAnn(ann, index, isGt, p.iouType === 'segm');
    let byCat = byImage.get(ann.image_id);
    if (byCat === undefined) byImage.set(ann.image_id, (byCat = new Map()));
    const list = byCat.get(ann.category_id);
    if (list === undefined) byCat.set(ann.category_id, [e]);
    else list.push(e);
  }
  return byImage;
}

/** One cell's annotations; with useCats off, those of every category in params.catIds order. */
function cell(grouped: Grouped, p: EvalParams, imgId: number, catId: number): EvalAnn[] {
  const byCat = grouped.get(imgId);
  if (byCat === undefined) return [];
  if (p.useCats) return byCat.get(catId) ?? [];
  return p.catIds.flatMap((c) => byCat.get(c) ?? []);
}

/** Stable, highest score first, as computeIoU and evaluateImg sort. */
function byScore(dts: EvalAnn[]): EvalAnn[] {
  return Array.from(orderByScoreDesc(dts.map((d) => d.score)), (i) => dts[i]);
}

function ious(dts: EvalAnn[], gts: EvalAnn[], p: EvalParams): number[][] {
  const crowd = gts.map((g) => g.iscrowd);
  if (p.iouType === 'segm') return rleIou(dts.map((d) => d.rle as Rle), gts.map((g) => g.rle as Rle), crowd);
  return bboxIou(dts.map((d) => d.bbox), gts.map((g) => g.bbox), crowd);
}

/** evaluateImg for one area range; `dts` are already score-sorted and cut to maxDets[-1]. */
function matchImage(
  imageId: number,
  categoryId: number,
  gts: EvalAnn[],
  dts: EvalAnn[],
  iou: number[][],
  aRng: [number, number],
  maxDet: number,
  thresholds: readonly number[],
): EvalImage {
  const gIgnore = gts.map((g) => (g.ignore || g.area < aRng[0] || g.area > aRng[1] ? 1 : 0));
  // Stable argsort on the ignore flag: regular ground truths first.
  const gtind = gIgnore.map((_, i) => i).sort((a, b) => gIgnore[a] - gIgnore[b] || a - b);
  const gt = gtind.map((i) => gts[i]);
  const dt = dts.slice(0, maxDet);
  const T = thresholds.length;
  const G = gt.length;
  const D = dt.length;
  const gtIgnore = Uint8Array.from(gtind, (i) => gIgnore[i]);
  const gtMatches = new Float64Array(T * G);
  const dtMatches = new Float64Array(T * D);
  const dtIgnore = new Uint8Array(T * D);
  if (iou.length > 0) {
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        let best = Math.min(thresholds[t], 1 - 1e-10);
        let m = -1;
        const row = iou[d];
        for (let g = 0; g < G; g++) {
          if (gtMatches[t * G + g] > 0 && !gt[g].iscrowd) continue;
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[g] === 1) break;
          const v = row[gtind[g]];
          if (v < best) continue;
          best = v;
          m = g;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m];
        dtMatches[t * D + d] = gt[m].id;
        gtMatches[t * G + m] = dt[d].id;
      }
    }
  }
  // Unmatched detections outside the area range are ignored rather than counted as false positives.
  for (let d = 0; d < D; d++) {
    if (!(dt[d].area < aRng[0] || dt[d].area > aRng[1])) continue;
    for (let t = 0; t < T; t++) if (dtMatches[t * D + d] === 0) dtIgnore[t * D + d] = 1;
  }
  return {
    imageId,
    categoryId,
    aRng,
    maxDet,
    dtIds: dt.map((d) => d.id),
    gtIds: gt.map((g) => g.id),
    dtMatches,
    gtMatches,
    dtScores: dt.map((d) => d.score),
    gtIgnore,
    dtIgnore,
  };
}

/**
 * Runs `COCOeval(gt, dt, params.iouType).evaluate()`. `dt` is normally `loadRes(gt, results)`.
 * A detection mask whose size differs from its ground truth's is an error here (pycocotools
 * scores it IoU −1, i.e. never matched).
 */
export function evaluate(gt: CocoIndex, dt: CocoIndex, params: EvalParams): Evaluation {
  const p = normalizeParams(params);
  const gts = group(gt, p, true);
  const dts = group(dt, p, false);
  const catIds = p.useCats ? p.catIds : [-1];
  const maxDet = p.maxDets[p.maxDets.length - 1];
  const I = p.imgIds.length;
  // cells[k·I + i]: the (image, category) pair's gt, top-scored dt and IoUs; null when both are empty.
  const cells: ({ g: EvalAnn[]; d: EvalAnn[]; iou: number[][] } | null)[] = [];
  catIds.forEach((catId) => {
    for (const imgId of p.imgIds) {
      const g = cell(gts, p, imgId, catId);
      const d = cell(dts, p, imgId, catId);
      if (g.length === 0 && d.length === 0) cells.push(null);
      else {
        const top = byScore(d).slice(0, maxDet);
        cells.push({ g, d: top, iou: ious(top, g, p) });
      }
    }
  });
  const evalImgs: (EvalImage | null)[] = [];
  catIds.forEach((catId, k) => {
    for (const aRng of p.areaRng) {
      p.imgIds.forEach((imgId, i) => {
        const c = cells[k * I + i];
        evalImgs.push(c ? matchImage(imgId, catId, c.g, c.d, c.iou, aRng, maxDet, p.iouThrs) : null);
      });
    }
  });
  return { params: p, evalImgs };
}
