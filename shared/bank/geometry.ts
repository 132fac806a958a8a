// Reference crop geometry of the official memory fill (spec/method.md §1.2 steps 3–4).
import { MalformedBoxError } from '../errors.ts';
import { BankArgumentError } from './errors.ts';
import type { CocoBox } from '../types.ts';

/** Side of the square DINOv2 input the crop is stretched to. */
export const REFERENCE_SIZE = 518;
/** Patches per side of that input (patch 14). */
export const PATCH_GRID = 37;
/** Context around the box: the official config's `context_ratio`. */
export const DEFAULT_CONTEXT_RATIO = 0.2;

export interface ReferenceCrop {
  /** The bbox truncated toward zero: `[int(bx), int(by), int(bx+bw), int(by+bh)]` (not inclusive). */
  box_int: [x1: number, y1: number, x2: number, y2: number];
  /** Centre of `box_int`. */
  mid: [x: number, y: number];
  /** Side of the square context window before clipping: max(box w, box h)·(1 + context ratio). */
  size: number;
  /** Clipped window, half-open: rows y1..y2−1, columns x1..x2−1. Not square near the borders. */
  crop: [x1: number, y1: number, x2: number, y2: number];
}

/** Python's int() on a float (toward zero), without the −0 that Math.trunc keeps. */
function int(x: number): number {
  return Math.trunc(x) + 0;
}

/**
 * The square context crop around a COCO bbox exactly as the official dataset computes it,
 * including int() truncation toward zero (which matters for negative coordinates) and clipping.
 */
export function referenceCrop(
  bbox: CocoBox,
  imageW: number,
  imageH: number,
  contextRatio = DEFAULT_CONTEXT_RATIO,
): ReferenceCrop {
  const [bx, by, bw, bh] = bbox;
  if (![bx, by, bw, bh].every(Number.isFinite)) throw new MalformedBoxError(`bbox ${JSON.stringify(bbox)} is not four finite numbers`);
  const x1 = int(bx);
  const y1 = int(by);
  const x2 = int(bx + bw);
  const y2 = int(by + bh);
  const midX = (x1 + x2) / 2;
  const midY = (y1 + y2) / 2;
  const size = Math.max(x2 - x1, y2 - y1) * (1 + contextRatio);
  const crop: ReferenceCrop['crop'] = [
    Math.max(0, int(midX - size / 2)),
    Math.max(0, int(midY - size / 2)),
    Math.min(imageW, int(midX + size / 2)),
    Math.min(imageH, int(midY + size / 2)),
  ];
  if (crop[2] <= crop[0] || crop[3] <= crop[1]) {
    throw new MalformedBoxError(
      `bbox ${JSON.stringify(bbox)} gives an empty crop ${JSON.stringify(crop)} in a ${imageW}×${imageH} image`,
    );
  }
  return { box_int: [x1, y1, x2, y2], mid: [midX, midY], size, crop };
}

/** A crop handed to the pixel functions must lie inside their w×h plane and hold a pixel. */
export function checkCropFits(crop: ReferenceCrop['crop'], w: number, h: number, what: string): void {
  const [x1, y1, x2, y2] = crop;
  if (!(0 <= x1 && x1 < x2 && x2 <= w && 0 <= y1 && y1 < y2 && y2 <= h)) {
    throw new BankArgumentError(`crop ${JSON.stringify(crop)} does not fit a ${w}×${h} ${what}`);
  }
}
