import { describe, expect, it } from 'vitest';
import type { CocoAnnotation, CocoImage, CocoResult } from '../../shared/coco-eval/index.ts';
import { encodeMask } from '../../shared/coco-mask/index.ts';
import { classColour } from '../local/overlay.ts';
import { bestMatches, drawInspection, inspection } from './draw.ts';

const W = 20;
const H = 12;
const image: CocoImage = { id: 5, width: W, height: H };
/** Row-major mask of the rectangle [x0, x1) × [y0, y1). */
function rect(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  return Uint8Array.from({ length: W * H }, (_, i) => (i % W >= x0 && i % W < x1 && Math.floor(i / W) >= y0 && Math.floor(i / W) < y1 ? 1 : 0));
}
const gt: CocoAnnotation[] = [
  { id: 1, image_id: 5, category_id: 9, bbox: [2, 2, 6, 6], area: 36, segmentation: encodeMask(rect(2, 2, 8, 8), H, W) },
  { id: 2, image_id: 6, category_id: 9, bbox: [0, 0, 1, 1], area: 1 },
];
const results: CocoResult[] = [
  { image_id: 5, category_id: 4, score: 0.9, segmentation: encodeMask(rect(12, 3, 18, 9), H, W) },
  { image_id: 5, category_id: 9, score: 0.6, segmentation: encodeMask(rect(2, 2, 8, 4), H, W) },
  { image_id: 5, category_id: 9, score: 0.2, segmentation: encodeMask(rect(2, 2, 8, 8), H, W) },
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

  it('outlines ground truth in its class colour over the filled predictions', () => {
    const grey = new Uint8Array(W * H * 3).fill(100);
    const out = drawInspection(grey, W, H, view);
    const at = (x: number, y: number) => [...out.subarray(3 * (y * W + x), 3 * (y * W + x) + 3)];
    const gtColour = [...classColour(1)];
    // Bottom edge of the ground truth, the ring outside it, then untouched background.
    expect(at(5, 7)).toEqual(gtColour);
    expect(at(5, 8)).toEqual(gtColour);
    expect(at(5, 9)).toEqual([100, 100, 100]);
    const [r, g, b] = classColour(0);
    expect(at(15, 6)).toEqual([r, g, b].map((c) => Math.round(100 * 0.5 + c * 0.5))); // inside the other class's prediction
    expect(at(4, 6)).toEqual([0, 0, 0]); // the black edge three pixels below the class-9 prediction's box [2,2,7,3]
    expect(at(1, 10)).toEqual([100, 100, 100]); // off every mask, box and outline
  });

  it('pairs each ground truth with the prediction overlapping it most', () => {
    expect(bestMatches(view)).toEqual([{ annId: 1, categoryId: 9, prediction: 1, iou: 12 / 36 }]);
  });
});
