// Results as a COCO file (images, categories, annotations with RLE segmentation and score), the
// format pycocotools and most tools read; categories are 1-based in class (label) order.
import type { SegmentDetection } from '../../shared/client/index.ts';

export interface ExportImage {
  fileName: string;
  width: number;
  height: number;
  detections: readonly SegmentDetection[];
}

export function cocoResults(classes: readonly string[], images: readonly ExportImage[]) {
  let annotationId = 1;
  return {
    info: { description: 'refseg detections', date_created: new Date().toISOString() },
    images: images.map((im, i) => ({ id: i + 1, file_name: im.fileName, width: im.width, height: im.height })),
    categories: classes.map((name, label) => ({ id: label + 1, name })),
    annotations: images.flatMap((im, i) =>
      im.detections.map((d) => ({
        id: annotationId++,
        image_id: i + 1,
        category_id: d.label + 1,
        segmentation: d.mask,
        area: d.area,
        bbox: d.bbox,
        score: d.score,
        iscrowd: 0,
      })),
    ),
  };
}
