// Detections of one image as a COCO document: images, categories (names and ids 1…C in class
// order) and annotations carrying scores, so the file loads both as a COCO dataset and, through
// its `annotations` list, as a COCO results file.
import type { CocoBox, Detection, Rle } from '../../shared/types.ts';

export interface CocoResultsDocument {
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

export function cocoResults(image: { fileName: string; width: number; height: number }, classes: readonly string[], detections: readonly Detection[]): CocoResultsDocument {
  return {
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
