import { describe, expect, it } from 'vitest';
import type { CocoAnnotation, CocoImage, CocoResult } from '../../shared/coco-eval/index.ts';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import { FILL_ALPHA } from '../../shared/render/overlay.ts';
import { colourDistance } from '../../shared/render/rgb.ts';
import { bestMatches, drawInspection, inspection } from './draw.ts';

const W = 160;
const H = 100;
const image: CocoImage = { id: 5, width: W, height: H };
/** Row-major mask of the rectangle [x0, x1) × [y0, y1). */
function rect(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  return Uint8Array.from({ length: W * H }, (_, i) => (i % W >= x0 && i % W < x1 && Math.floor(i / W) >= y0 && Math.floor(i / W) < y1 ? 1 : 0));
}
const gt: CocoAnnotation[] = [
  { id: 1, image_id: 5, category_id: 9, bbox: [10, 40, 30, 30], area: 900, segmentation: encodeMask(rect(10, 40, 40, 70), H, W) },
  { id: 2, image_id: 6, category_id: 9, bbox: [0, 0, 1, 1], area: 1 },
];
const results: CocoResult[] = [
  { image_id: 5, category_id: 4, score: 0.9, segmentation: encodeMask(rect(100, 45, 140, 75), H, W) },
  { image_id: 5, category_id: 9, score: 0.6, segmentation: encodeMask(rect(10, 40, 40, 50), H, W) },
  { image_id: 5, category_id: 9, score: 0.2, segmentation: encodeMask(rect(10, 40, 40, 70), H, W) },
];

describe('refseg draw', () => {
  const view = inspection(image, results, gt, [4, 9], 0.5);

  it('shows predictions at or above the score, best first, and the image\'s ground truth', () => {
    expect(view.predictions.map((p) => [p.categoryId, p.label])).toEqual([
      [4, 0],
      [9, 1],
    ]);
    expect(view.groundTruth.map((g) => g.annId)).toEqual([1]);
  });

  it('outlines ground truth in its class colour over the filled, labelled predictions', () => {
    const grey = new Uint8Array(W * H * 3).fill(100);
    const { rgb: out, colours } = drawInspection(grey, W, H, view, ['four', 'nine']);
    const at = (x: number, y: number) => [...out.subarray(3 * (y * W + x), 3 * (y * W + x) + 3)];
    const [c0, c1] = [colours.get(0)!, colours.get(1)!];
    expect(colourDistance(c0, c1)).toBeGreaterThan(200);
    // Bottom edge of the ground truth, the ring outside it, then untouched background.
    expect(at(25, 69)).toEqual([...c1]);
    expect(at(25, 70)).toEqual([...c1]);
    expect(at(25, 71)).toEqual([100, 100, 100]);
    // Inside the other class's prediction: tinted; on its edge: its colour.
    expect(at(120, 60)).toEqual(c0.map((c) => Math.round(100 * (1 - FILL_ALPHA) + c * FILL_ALPHA)));
    expect(at(120, 45)).toEqual([...c0]);
    // Its chip "four 0.90" above its box [100, 45, 139, 74]: 59×12 px, black border, class colour inside, text in ink.
    expect(at(100, 33)).toEqual([0, 0, 0]);
    expect(at(158, 44)).toEqual([0, 0, 0]);
    expect(at(101, 34)).toEqual([...c0]);
    const chip = Array.from({ length: 55 * 8 }, (_, i) => at(103 + (i % 55), 35 + Math.floor(i / 55)).join());
    expect(new Set(chip).size).toBe(2); // fill and text ink, nothing else
    expect(at(5, 90)).toEqual([100, 100, 100]); // off every mask, outline and chip
  });

  it('pairs each ground truth with the prediction overlapping it most', () => {
    expect(bestMatches(view)).toEqual([{ annId: 1, categoryId: 9, prediction: 1, iou: 300 / 900 }]);
  });
});
