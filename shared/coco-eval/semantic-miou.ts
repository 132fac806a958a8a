// COCO-20i-style semantic evaluation of instance outputs: per image, instances are painted into
// one label map for the ground truth and one for the prediction; per class, intersections and
// unions are summed over all images (Σ∩ / Σ∪), and the mean is taken over the split's classes.
import { annToRle, decodeRle } from '../coco-mask/index.ts';
import type { Rle } from '../types.ts';
import { CocoIndex } from './coco-index.ts';
import { CocoInputError } from './errors.ts';
import type { CocoDataset, CocoResult, CocoSegmentation } from './types.ts';

export interface SemanticInstance {
  categoryId: number;
  /** Row-major [h, w] 0/1 mask, or a COCO RLE of size [h, w]. */
  mask: Uint8Array | Rle;
  /** Predictions only: higher scores win overlapping pixels. */
  score?: number;
}

export interface SemanticImage {
  height: number;
  width: number;
  gt: readonly SemanticInstance[];
  pred: readonly SemanticInstance[];
}

export interface SemanticMiouOptions {
  /** The split's classes: only these are scored, every other label counts as background. */
  classIds: readonly number[];
  /** Predictions scoring below this are left out. Default 0 (all). */
  scoreThreshold?: number;
  /**
   * A class with an empty union over all images (never annotated, never predicted): 'ignore'
   * leaves it out of the mean (default), 'zero' counts it as IoU 0 (HSNet-style max(union, 1)).
   */
  absentClass?: 'ignore' | 'zero';
}

export interface SemanticMiouResult {
  /** Mean IoU over the classes that count (NaN if none does). */
  miou: number;
  perClass: { categoryId: number; intersection: number; union: number; iou: number }[];
}

function maskPixels(inst: SemanticInstance, h: number, w: number): Uint8Array {
  const m = inst.mask instanceof Uint8Array ? inst.mask : decodeRle(inst.mask);
  if (m.length !== h * w) throw new CocoInputError(`a mask has ${m.length} pixels, the image is ${h}×${w}`);
  return m;
}

/**
 * Paints instances in the given order, a later one overwriting earlier ones. Labels: 0
 * background, i+1 for classIds[i], −1 for a class outside the split (it still covers pixels).
 */
function paint(instances: readonly SemanticInstance[], h: number, w: number, label: Map<number, number>): Int16Array {
  const map = new Int16Array(h * w);
  for (const inst of instances) {
    const m = maskPixels(inst, h, w);
    const l = label.get(inst.categoryId) ?? -1;
    for (let i = 0; i < m.length; i++) if (m[i] !== 0) map[i] = l;
  }
  return map;
}

export function semanticMiou(images: Iterable<SemanticImage>, options: SemanticMiouOptions): SemanticMiouResult {
  const { classIds } = options;
  if (classIds.length === 0 || classIds.length > 32000) throw new CocoInputError('semanticMiou needs 1 to 32000 classes');
  const label = new Map(classIds.map((c, i) => [c, i + 1]));
  const threshold = options.scoreThreshold ?? 0;
  const inter = new Float64Array(classIds.length + 1);
  const union = new Float64Array(classIds.length + 1);
  for (const img of images) {
    const gt = paint(img.gt, img.height, img.width, label);
    // Ascending score, stable: the highest-scoring instance is painted last and keeps its pixels.
    const preds = img.pred
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => (p.score ?? 0) >= threshold)
      .sort((a, b) => (a.p.score ?? 0) - (b.p.score ?? 0) || a.i - b.i)
      .map(({ p }) => p);
    const pred = paint(preds, img.height, img.width, label);
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i];
      const p = pred[i];
      if (g === p) {
        if (g > 0) {
          inter[g]++;
          union[g]++;
        }
      } else {
        if (g > 0) union[g]++;
        if (p > 0) union[p]++;
      }
    }
  }
  const perClass = classIds.map((categoryId, i) => {
    const u = union[i + 1];
    return { categoryId, intersection: inter[i + 1], union: u, iou: u > 0 ? inter[i + 1] / u : Number.NaN };
  });
  const counted = perClass.filter((c) => c.union > 0 || options.absentClass === 'zero');
  const miou = counted.length === 0 ? Number.NaN : counted.reduce((s, c) => s + (c.union > 0 ? c.iou : 0), 0) / counted.length;
  return { miou, perClass };
}

/**
 * semanticMiou of COCO results against a COCO ground truth, over `imgIds` (default: every
 * ground-truth image). Results need a segmentation (RLE or polygons).
 */
export function semanticMiouFromCoco(
  gt: CocoDataset | CocoIndex,
  results: readonly CocoResult[],
  options: SemanticMiouOptions & { imgIds?: readonly number[] },
): SemanticMiouResult {
  const index = gt instanceof CocoIndex ? gt : new CocoIndex(gt);
  const byImage = new Map<number, CocoResult[]>();
  for (const r of results) {
    const list = byImage.get(r.image_id);
    if (list === undefined) byImage.set(r.image_id, [r]);
    else list.push(r);
  }
  const imgIds = options.imgIds ?? [...index.imgs.keys()];
  function* images(): Generator<SemanticImage> {
    for (const id of imgIds) {
      const img = index.imgs.get(id);
      if (img === undefined) throw new CocoInputError(`image ${id} is not in the ground truth`);
      const toRle = (seg: CocoSegmentation | undefined, what: string): Rle => {
        if (seg === undefined) throw new CocoInputError(`${what} has no segmentation`);
        return annToRle(seg, img.height, img.width);
      };
      yield {
        height: img.height,
        width: img.width,
        gt: (index.imgToAnns.get(id) ?? []).map((a) => ({ categoryId: a.category_id, mask: toRle(a.segmentation, `annotation ${a.id}`) })),
        pred: (byImage.get(id) ?? []).map((r, i) => ({ categoryId: r.category_id, score: r.score, mask: toRle(r.segmentation, `result ${i} of image ${id}`) })),
      };
    }
  }
  return semanticMiou(images(), options);
}
