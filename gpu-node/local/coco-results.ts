// Detections of one image as a COCO document: images, categories (names and ids 1…C in class
// order) and annotations carrying scores, so the file loads both as a COCO dataset and, through
// its `annotations` list, as a COCO results file. Its `info` says which box convention the
// `bbox` values follow.
import type { CocoBox, Detection, Rle } from '../../shared/types.ts';

/** How a COCO `bbox` [x, y, w, h] is made from a mask's inclusive pixel extent x1…x2, y1…y2. */
export type BoxConvention = 'true-extent' | 'official-one-pixel-short';

export const BOX_CONVENTIONS: Record<BoxConvention, string> = {
  'true-extent': 'bbox = [x1, y1, x2 - x1 + 1, y2 - y1 + 1]: the mask\'s true extent, as pycocotools toBbox gives it',
  'official-one-pixel-short':
    'bbox = [x1, y1, x2 - x1, y2 - y1]: one pixel narrower and shorter than the mask, as the official No-Time-to-Train code writes it (benchmark parity)',
};

export function boxConventionOf(officialBoxCompat: boolean): BoxConvention {
  return officialBoxCompat ? 'official-one-pixel-short' : 'true-extent';
}

export interface CocoResultsDocument {
  info: { description: string; box_convention: BoxConvention; box_convention_note: string };
  images: { id: number; file_name: string; width: number; height: number }[];
  categories: { id: number; name: string }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: CocoBox;
    area: number;
    segmentation: Rle;
    score: number;
    iscrowd: 0;
  }[];
}

/** `boxes` must be the convention the detections' `bbox` values were made with. */
export function cocoResults(
  image: { fileName: string; width: number; height: number },
  classes: readonly string[],
  detections: readonly Detection[],
  boxes: BoxConvention,
): CocoResultsDocument {
  return {
    info: { description: 'refseg detections', box_convention: boxes, box_convention_note: BOX_CONVENTIONS[boxes] },
    images: [{ id: 1, file_name: image.fileName, width: image.width, height: image.height }],
    categories: classes.map((name, i) => ({ id: i + 1, name })),
    annotations: detections.map((d, i) => ({
      id: i + 1,
      image_id: 1,
      category_id: d.label + 1,
      bbox: d.bbox,
      area: d.area,
      segmentation: d.mask,
      score: d.score,
      iscrowd: 0,
    })),
  };
}
