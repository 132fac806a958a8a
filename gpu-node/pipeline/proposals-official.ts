// The paper's proposals (spec/method.md §3.3): one positive point per grid node, best of the three
// multimask outputs by predicted IoU, kept when that IoU is strictly above the threshold. Output in
// grid order. No stability score, no crops, no NMS here (NMS is class-aware, after labelling).
// The official loop runs n²/256 (floor) batches and would drop a remainder; with its 32² grid
// there is none, and for other grid sizes refseg decodes every point.
//
// When the decoder graph carries these steps (Sam2Api.proposePoints, decoder-best-mask.ts) they
// run there and only the kept prompts' compact masks leave the runtime, which extraction reads as
// they are (shared/matching/compact-low-res.ts); else on the host.
import type { PatchFeatures } from '../../shared/matching/index.ts';
import { ModelFormatError } from '../models/errors.ts';
import type { BestMasks, Sam2Api, Sam2Embeddings } from '../models/index.ts';
import { officialGrid } from './grid.ts';
import { bestMultimask, LogitsCollector, maskPlane } from './multimask.ts';
import type { OfficialConfig } from './presets.ts';
import type { LowResProposals } from './proposals.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';

export async function officialProposals(
  sam2: Sam2Api,
  emb: Sam2Embeddings,
  config: OfficialConfig,
  observe?: StageObserver,
  image?: { width: number; height: number; features?: PatchFeatures },
): Promise<LowResProposals> {
  const points = officialGrid(config.pointsPerSide);
  const n = points.length / 2;
  // torch compares a float32 tensor with a Python float in float32.
  const threshold = Math.fround(config.iouThreshold);
  if (sam2.proposePoints && image?.features) {
    const { width, height, features } = image as Required<typeof image>;
    const parts: BestMasks[] = [];
    for (let start = 0; start < n; start += config.pointsPerBatch) {
      const batch = points.subarray(2 * start, 2 * Math.min(n, start + config.pointsPerBatch));
      parts.push(await timed(observe, 'sam2-decoder', () => sam2.proposePoints!(emb, batch, { iouThreshold: threshold, width, height, features: features.data })));
    }
    return timed(observe, 'proposal-filter', () => joinBestMasks(parts));
  }
  const kept = new LogitsCollector();
  for (let start = 0; start < n; start += config.pointsPerBatch) {
    const batch = points.subarray(2 * start, 2 * Math.min(n, start + config.pointsPerBatch));
    const decoded = await timed(observe, 'sam2-decoder', () => sam2.decodePoints(emb, batch));
    await timed(observe, 'proposal-filter', () => {
      for (let p = 0; p < decoded.count; p++) {
        const token = bestMultimask(decoded, p);
        const q = decoded.iou[p * decoded.maskTokens + token];
        if (q > threshold) kept.push(maskPlane(decoded, p, token), q);
      }
    });
  }
  return kept.take();
}

/** The kept masks of every batch, in prompt order: their compact masks as they are, IoUs and embeddings joined. */
export function joinBestMasks(parts: readonly BestMasks[]): LowResProposals {
  const count = parts.reduce((k, p) => k + p.count, 0);
  const iou = new Float32Array(count);
  const dim = parts[0]?.dim ?? 0;
  const embeddings = new Float32Array(count * dim);
  let at = 0;
  for (const p of parts) {
    if (p.iou.length !== p.count || p.embedding.length !== p.count * dim) {
      throw new ModelFormatError(`compact decoder outputs do not agree: ${p.iou.length} IoUs and ${p.embedding.length} embedding values for ${p.count} masks of dimension ${dim}`);
    }
    iou.set(p.iou, at);
    embeddings.set(p.embedding, at * dim);
    at += p.count;
  }
  return { logits: parts, iou, embeddings };
}
