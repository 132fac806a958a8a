// SAM2AutomaticMaskGenerator with its defaults, full-image crop only (spec/models.md §2.2–§2.3):
// offset grid, all three multimask outputs of every point as candidates, predicted IoU > 0.8,
// stability ≥ 0.95 (offset 1) on the upsampled logits, then box NMS 0.7 on the full-resolution
// boxes ranked by predicted IoU. Output in NMS order (descending predicted IoU).
//
// Not done, because the defaults switch them off: crop layers (crop_n_layers 0) and the crop NMS,
// mask-to-mask refinement (use_m2m False), hole and sprinkle removal (min_mask_region_area 0).
// The crop-edge filter never removes anything for the full-image crop, so it is skipped.
import { batchedNms } from '../../shared/boxes.ts';
import type { Sam2Api, Sam2Embeddings } from '../models/index.ts';
import { createFullResMeasurer } from './fullres-stats.ts';
import { amgGrid } from './grid.ts';
import { firstMultimaskToken, LogitsCollector, maskPlane } from './multimask.ts';
import type { AmgConfig } from './presets.ts';
import type { LowResProposals } from './proposals.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';

export async function amgProposals(
  sam2: Sam2Api,
  emb: Sam2Embeddings,
  config: AmgConfig,
  size: { width: number; height: number },
  observe?: StageObserver,
): Promise<LowResProposals> {
  const points = amgGrid(config.pointsPerSide, size.width, size.height);
  const n = points.length / 2;
  const iouThreshold = Math.fround(config.predIouThreshold);
  const stabilityThreshold = Math.fround(config.stabilityThreshold);
  const measurer = createFullResMeasurer(size.height, size.width);
  const kept = new LogitsCollector();
  const boxes: number[] = [];
  for (let start = 0; start < n; start += config.pointsPerBatch) {
    const batch = points.subarray(2 * start, 2 * Math.min(n, start + config.pointsPerBatch));
    const decoded = await timed(observe, 'sam2-decoder', () => sam2.decodePoints(emb, batch));
    await timed(observe, 'proposal-filter', () => {
      const first = firstMultimaskToken(decoded.maskTokens);
      for (let p = 0; p < decoded.count; p++) {
        for (let token = first; token < first + 3; token++) {
          const q = decoded.iou[p * decoded.maskTokens + token];
          if (!(q > iouThreshold)) continue;
          const plane = maskPlane(decoded, p, token);
          const stats = measurer.measure(plane, config.stabilityOffset);
          // NaN (nothing above −offset) fails the test, as in torch.
          if (!(stats.stability >= stabilityThreshold)) continue;
          kept.push(plane, q);
          boxes.push(...stats.box);
        }
      }
    });
  }
  const order = await timed(observe, 'proposal-filter', () =>
    batchedNms(Float32Array.from(boxes), kept.take().iou, new Int32Array(kept.count), config.boxNmsThreshold),
  );
  return kept.take(order);
}
