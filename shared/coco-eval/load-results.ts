// pycocotools `COCO.loadRes` for a list of detection results (the caption and keypoint branches
// are not supported). The input objects are copied, never modified.
import { rleArea, rleToBbox } from '../coco-mask/index.ts';
import type { Rle } from '../types.ts';
import { CocoIndex } from './coco-index.ts';
import { CocoInputError } from './errors.ts';
import type { CocoAnnotation, CocoResult } from './types.ts';

function isCompressedRle(s: unknown): s is Rle {
  return typeof s === 'object' && s !== null && !Array.isArray(s) && typeof (s as Rle).counts === 'string';
}

/**
 * The branch is chosen by the FIRST result, as pycocotools does: a non-empty `bbox` there means
 * every result is taken as a box (area = w·h, also for segm area ranges; a missing segmentation
 * becomes the box polygon); otherwise every result needs a compressed-RLE `segmentation` (area
 * = mask area, bbox = its box unless given). Ids are 1..N in list order, iscrowd 0.
 * An empty list gives an index with no detections (pycocotools raises IndexError there).
 */
export function loadRes(gt: CocoIndex, results: readonly CocoResult[]): CocoIndex {
  const images = [...(gt.dataset.images ?? [])];
  const categories = structuredClone(gt.dataset.categories ?? []);
  const known = new Set(gt.imgs.keys());
  const stray = [...new Set(results.map((r) => r.image_id).filter((id) => !known.has(id)))];
  if (stray.length > 0) {
    throw new CocoInputError(`Results do not correspond to current coco set: image ids ${stray.slice(0, 10).join(', ')}${stray.length > 10 ? ', …' : ''} are not in the ground truth`);
  }
  const first = results[0];
  const boxBranch = first !== undefined && Array.isArray(first.bbox) && first.bbox.length > 0;
  if (first !== undefined && !boxBranch && first.segmentation === undefined) {
    throw new CocoInputError('results need a bbox or a segmentation (captions and keypoints are not supported)');
  }
  results.forEach((r, i) => {
    if (typeof r.score !== 'number') throw new CocoInputError(`result ${i} has no numeric score`);
  });
  const annotations: CocoAnnotation[] = results.map((r, i) => (boxBranch ? fromBox(r, i) : fromMask(r, i)));
  return new CocoIndex({ info: structuredClone(gt.dataset.info ?? {}), images, categories, annotations });
}

function fromBox(r: CocoResult, i: number): CocoAnnotation {
  const bb = r.bbox;
  if (!Array.isArray(bb) || bb.length !== 4) throw new CocoInputError(`result ${i} has no [x, y, w, h] bbox (the first result has one)`);
  const [x1, y1] = bb;
  const x2 = bb[0] + bb[2];
  const y2 = bb[1] + bb[3];
  return {
    ...r,
    bbox: [...bb],
    segmentation: r.segmentation ?? [[x1, y1, x1, y2, x2, y2, x2, y1]],
    area: bb[2] * bb[3],
    id: i + 1,
    iscrowd: 0,
  };
}

function fromMask(r: CocoResult, i: number): CocoAnnotation {
  const seg = r.segmentation;
  if (!isCompressedRle(seg)) throw new CocoInputError(`result ${i}: without a bbox, the segmentation must be a compressed RLE`);
  return {
    ...r,
    area: rleArea(seg),
    bbox: r.bbox !== undefined ? r.bbox : rleToBbox(seg),
    id: i + 1,
    iscrowd: 0,
  };
}
