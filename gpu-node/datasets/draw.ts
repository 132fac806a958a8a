// A picture for inspecting one evaluation image: the predictions drawn as `refseg segment
// --overlay` draws detections (shared/render/overlay.ts: translucent mask outlined in the class
// colour, a chip with class and score), and the ground truth on top as outlines in the same colours. A filled region without an
// outline is a false positive, an outline without fill a miss, two colours on one object a wrong
// class. Plus, per ground-truth instance, the prediction that overlaps it most.
import { annToRle, decodeRle, rleArea, rleIou, rleToBbox } from '../../shared/coco-mask/index.ts';
import type { CocoAnnotation, CocoImage, CocoResult } from '../../shared/coco-eval/index.ts';
import type { Detection, Rle } from '../../shared/types.ts';
import { classColours, drawOverlay } from '../../shared/render/overlay.ts';
import type { Rgb } from '../../shared/render/rgb.ts';
import { rgbPng } from '../local/overlay.ts';
import { DatasetError } from './errors.ts';

const OUTLINE = 2;

export interface Inspection {
  /** Predictions shown (score ≥ the threshold), best first, with their colour index. */
  predictions: { categoryId: number; score: number; mask: Rle; label: number }[];
  groundTruth: { annId: number; categoryId: number; mask: Rle; label: number }[];
}

/**
 * Predictions and ground truth of one image as masks. `categoryOrder` gives each category its
 * colour (its index there), so a class keeps its colour from image to image.
 */
export function inspection(image: CocoImage, results: readonly CocoResult[], gt: readonly CocoAnnotation[], categoryOrder: readonly number[], minScore: number): Inspection {
  const label = (id: number) => {
    const i = categoryOrder.indexOf(id);
    return i < 0 ? categoryOrder.length : i;
  };
  const toRle = (seg: CocoAnnotation['segmentation'], what: string): Rle => {
    if (seg === undefined) throw new DatasetError(`${what} has no segmentation to draw.`);
    const rle = annToRle(seg, image.height, image.width);
    if (rle.size[0] !== image.height || rle.size[1] !== image.width) {
      throw new DatasetError(`${what} is ${rle.size[1]}×${rle.size[0]}, image ${image.id} is ${image.width}×${image.height}.`);
    }
    return rle;
  };
  const predictions = results
    .filter((r) => r.image_id === image.id && r.score >= minScore)
    .sort((a, b) => b.score - a.score)
    .map((r, i) => ({ categoryId: r.category_id, score: r.score, mask: toRle(r.segmentation, `Result ${i} of image ${image.id}`), label: label(r.category_id) }));
  const groundTruth = gt
    .filter((a) => a.image_id === image.id)
    .map((a) => ({ annId: a.id, categoryId: a.category_id, mask: toRle(a.segmentation ?? frBox(a), `Annotation ${a.id}`), label: label(a.category_id) }));
  return { predictions, groundTruth };
}

/** A box-only annotation is outlined as its box. */
function frBox(a: CocoAnnotation): CocoAnnotation['segmentation'] {
  const [x, y, w, h] = a.bbox;
  return [[x, y, x + w, y, x + w, y + h, x, y + h]];
}

function asDetection(p: Inspection['predictions'][number], index: number): Detection {
  const [x, y, w, h] = rleToBbox(p.mask);
  const area = rleArea(p.mask);
  return { label: p.label, score: p.score, box: area === 0 ? [0, 0, 0, 0] : [x, y, x + w - 1, y + h - 1], bbox: [x, y, w, h], area, mask: p.mask, index };
}

/** Mask pixels with a 4-neighbour outside the mask (or on the image edge), and OUTLINE − 1 rings outside them. */
function paintOutline(out: Uint8Array, width: number, height: number, mask: Uint8Array, colour: readonly [number, number, number]): void {
  let edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i] === 0) continue;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width]) edge[i] = 1;
    }
  }
  const painted = edge.slice();
  for (let ring = 1; ring < OUTLINE; ring++) {
    const next = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!edge[i]) continue;
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const j = ny * width + nx;
          if (!mask[j] && !painted[j]) next[j] = painted[j] = 1;
        }
      }
    }
    edge = next;
  }
  for (let i = 0; i < painted.length; i++) if (painted[i]) out.set(colour, 3 * i);
}

/**
 * RGB (HWC) with predictions filled and ground truth outlined, on a copy; `classNames` by label.
 * Colours are chosen over predictions and ground truth together, so a class missed entirely
 * still gets a colour of its own.
 */
export function drawInspection(rgb: Uint8Array, width: number, height: number, view: Inspection, classNames: readonly string[]): { rgb: Uint8Array; colours: Map<number, Rgb> } {
  const everything = [...view.predictions, ...view.groundTruth.map((g) => ({ ...g, score: 0 }))].map(asDetection);
  const colours = classColours(rgb, everything);
  const out = drawOverlay(rgb, width, height, view.predictions.map(asDetection), { classNames, colours }).rgb;
  for (const g of view.groundTruth) paintOutline(out, width, height, decodeRle(g.mask), colours.get(g.label)!);
  return { rgb: out, colours };
}

export async function inspectionPng(rgb: Uint8Array, width: number, height: number, view: Inspection, classNames: readonly string[]): Promise<{ png: Uint8Array; colours: Map<number, Rgb> }> {
  const drawn = drawInspection(rgb, width, height, view, classNames);
  return { png: await rgbPng(drawn.rgb, width, height), colours: drawn.colours };
}

/** Per ground-truth instance, the shown prediction with the highest mask IoU (null when none overlaps). */
export function bestMatches(view: Inspection): { annId: number; categoryId: number; prediction: number | null; iou: number }[] {
  const ious = rleIou(
    view.predictions.map((p) => p.mask),
    view.groundTruth.map((g) => g.mask),
    view.groundTruth.map(() => false),
  );
  return view.groundTruth.map((g, j) => {
    let best: number | null = null;
    let bestIou = 0;
    view.predictions.forEach((_, i) => {
      if (ious[i][j] > bestIou) {
        bestIou = ious[i][j];
        best = i;
      }
    });
    return { annId: g.annId, categoryId: g.categoryId, prediction: best, iou: bestIou };
  });
}
