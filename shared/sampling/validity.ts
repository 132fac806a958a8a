import type { CocoAnnotation, CocoImage } from '../coco-eval/types.ts';

/** Smallest accepted box side, pixels of the original image. */
export const MIN_REFERENCE_SIDE = 32;
/** Smallest accepted gap between the box and every image border, pixels. */
export const MIN_BORDER_GAP = 10;

/**
 * The official `data_utils.is_valid_annotation` (spec/method.md §6): a reference must not be a
 * crowd region, its box must be at least 32×32 and at least 10 px away from every border.
 */
export function isValidReference(ann: CocoAnnotation, img: CocoImage): boolean {
  if (Number(ann.iscrowd) === 1) return false;
  const [x, y, w, h] = ann.bbox;
  if (w < MIN_REFERENCE_SIDE || h < MIN_REFERENCE_SIDE) return false;
  if (x < MIN_BORDER_GAP || y < MIN_BORDER_GAP) return false;
  if (img.width - (x + w) < MIN_BORDER_GAP || img.height - (y + h) < MIN_BORDER_GAP) return false;
  return true;
}
