// The official proposal steps in the real samexporter SAM2.1-tiny decoder (weights refilled),
// through refseg's runner: the prompts kept, their IoUs, the sign of every cell of their masks and
// the candidate set extracted from them (embeddings pooled in the graph: within 2e-6) equal the host path's (all three masks copied out, best
// of 3 and the filter in JS). Levels are synthetic (no encoder run); 24 prompts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractCandidates } from '../../shared/matching/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { densePlanes } from '../compact-planes.ts';
import { Sam2Runner } from '../../gpu-node/models/sam2-runner.ts';
import { levelTensors } from '../../gpu-node/models/sam2-layout.ts';
import { bestMultimask, LogitsCollector, maskPlane } from '../../gpu-node/pipeline/multimask.ts';
import { filledModelDir } from './fill.ts';

const THREADS = 2;
const PROMPTS = 24;
const [HEIGHT, WIDTH] = [480, 640];
let dir: string;
let on: Sam2Runner;
let off: Sam2Runner;

function level(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7311 + seed) * 2 + ((i * 7919 + seed) % 101) / 500);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'refseg-best-mask-'));
  filledModelDir(join(dir, 'sam2'));
  const files = { encoder: join(dir, 'sam2', 'encoder.onnx'), decoder: join(dir, 'sam2', 'decoder.onnx') };
  const settings = { provider: 'cpu' as const, intraOpThreads: THREADS, interOpThreads: 1 };
  const options = { removeNoMemEmbed: true, maxPromptBatch: 16, removeMaskClip: true, decoderImageOnce: true };
  [on, off] = await Promise.all([
    Sam2Runner.open(files, settings, { ...options, decoderBestMask: true }),
    Sam2Runner.open(files, settings, { ...options, decoderBestMask: false }),
  ]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the official proposal steps in the real decoder graph', () => {
  it('keep the prompts, IoUs, mask signs and candidates of the host path, copying less than a third of its bytes', async () => {
    expect(on.info.bestMask).toBe('applied');
    expect(off.info.bestMask).toBe('off');
    const levels = levelTensors([level(32 * 256 * 256, 1), level(64 * 128 * 128, 2), level(256 * 64 * 64, 3)]);
    const points = Float32Array.from({ length: PROMPTS * 2 }, (_, i) => (i * 389 + 17) % 1024);
    const dense = await off.decodePoints(levels, points, new Int32Array(PROMPTS).fill(1));
    const best = Array.from({ length: PROMPTS }, (_, p) => dense.iou[p * 3 + bestMultimask(dense, p)]);
    // A threshold between the IoUs, so the filter keeps some prompts and drops others.
    const threshold = Math.fround([...best].sort((a, b) => a - b)[PROMPTS >> 1]);
    const host = new LogitsCollector();
    const hostPrompts: number[] = [];
    for (let p = 0; p < PROMPTS; p++) {
      if (!(best[p] > threshold)) continue;
      host.push(maskPlane(dense, p, bestMultimask(dense, p)), best[p]);
      hostPrompts.push(p);
    }
    const features = { data: level(37 * 37 * 32, 4), rows: 37, cols: 37, dim: 32 };
    const kept = await on.proposePoints(levels, points, threshold, { height: HEIGHT, width: WIDTH }, features.data);
    expect(hostPrompts.length).toBeGreaterThan(0);
    expect(hostPrompts.length).toBeLessThan(PROMPTS);
    expect([...kept.prompt]).toEqual(hostPrompts);
    const hostOut = host.take();
    expect([...kept.iou]).toEqual([...hostOut.iou]);

    const logits = densePlanes(kept);
    let flipped = 0;
    for (let i = 0; i < logits.length; i++) if (logits[i] > 0 !== hostOut.logits[i] > 0) flipped++;
    // The two sessions run the same decoder nodes: no cell changes sign.
    expect(flipped).toBe(0);

    const ids = { imageSha256: 'x', modelId: 'm', pipelineId: 'p' };
    // Extraction reads the compact masks as they are.
    const mine = extractCandidates({ lowResLogits: [kept], iou: kept.iou, features, height: HEIGHT, width: WIDTH, embeddings: kept.embedding }, ids);
    const theirs = extractCandidates({ lowResLogits: hostOut.logits, iou: hostOut.iou, features, height: HEIGHT, width: WIDTH }, ids);
    expect(mine.candidates.length).toBe(hostPrompts.length);
    const strip = (s: CandidateSet) => s.candidates.map(({ embedding: _e, ...rest }) => rest);
    expect(strip(mine)).toEqual(strip(theirs));
    // Pooled in the graph in float32, on the host in float64.
    let worst = 0;
    mine.candidates.forEach((c, k) => c.embedding.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - theirs.candidates[k].embedding[j])))));
    expect(worst).toBeLessThan(2e-6);

    const denseBytes = dense.logits.byteLength + dense.iou.byteLength;
    expect(kept.bytesOut).toBeLessThan(denseBytes / 3);
  });
});
