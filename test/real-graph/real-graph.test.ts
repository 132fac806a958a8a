// refseg's own model and pipeline code on the real SAM2.1 hiera-tiny graphs (samexporter export,
// weights refilled with seeded values: test/fixtures/models/README.md). Outputs carry no meaning;
// what is checked is what the structure decides: layout detection, the exact no_mem_embed
// removal, prompt batching, and a candidate set made end to end by the pipeline code.
// Cost: two encoder runs (the patched one in the model worker, the original here), ~30 prompts.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModels } from '../../gpu-node/models/index.ts';
import type { Models } from '../../gpu-node/models/index.ts';
import { LAYOUTS, ZeroMasks, levelTensors, pointFeeds } from '../../gpu-node/models/sam2-layout.ts';
import { candidateSet, modelIdOf, pipelineIdOf, resolveProposalConfig } from '../../gpu-node/pipeline/index.ts';
import type { AnalysedTarget } from '../../gpu-node/pipeline/index.ts';
import { analyseTarget, stretch1024 } from '../../gpu-node/pipeline/target.ts';
import { samPixels } from '../../gpu-node/preprocess/index.ts';
import { dinov2 } from '../../gpu-node/standin/dinov2.ts';
import { filledModelDir } from './fill.ts';
import { decode } from './surgery.ts';

const THREADS = 2;
const WIDTH = 640;
const HEIGHT = 480;

let dir: string;
let models: Models;
let image: Uint8Array;
let target: AnalysedTarget;

/** A 640×480 photo-like JPEG: gradients and a few discs, so the encoder sees structure. */
async function photo(): Promise<Uint8Array> {
  const rgb = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      const inDisc = [[160, 120, 70], [450, 300, 110], [520, 90, 50]].findIndex(([cx, cy, r]) => (x - cx) ** 2 + (y - cy) ** 2 < r * r);
      rgb[i] = inDisc >= 0 ? [230, 40, 60][inDisc] : (x * 255) / WIDTH;
      rgb[i + 1] = inDisc >= 0 ? [50, 200, 70][inDisc] : (y * 255) / HEIGHT;
      rgb[i + 2] = inDisc >= 0 ? [40, 60, 220][inDisc] : 128;
    }
  }
  return new Uint8Array(await sharp(rgb, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-real-graph-'));
  const sam2Dir = filledModelDir(join(dir, 'sam2'));
  const dinoPath = join(dir, 'dinov2.onnx');
  writeFileSync(dinoPath, dinov2().model);
  models = await openModels({ sam2Dir, dinoPath, threads: { intraOp: THREADS } });
  image = await photo();
  target = await analyseTarget(models, image);
});

afterAll(async () => {
  await models?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the real SAM2.1 hiera-tiny graphs', () => {
  it('are detected as the samexporter layout, with the decoder facts refseg relies on', () => {
    const sam2 = models.info.sam2;
    expect(sam2.layout).toBe('samexporter');
    expect(sam2.graphPadsPrompt).toBe(true);
    expect(sam2.promptAxis).toBe('dynamic');
    expect(sam2.maskTokens).toBe(3);
    expect(sam2.noMemEmbed).toBe('removed');
    expect(sam2.noMemEmbedNode).toBe('/Add');
    expect(sam2.imageOnce).toBe('applied');
  });

  it('lose exactly no_mem_embed: image_embed = original − vector within 1.2e-7 relative, the other levels bit-identical', async () => {
    const encoderPath = join(dir, 'sam2', 'encoder.onnx');
    const vectorTensor = decode(readFileSync(encoderPath)).graph!.initializer!.find((t) => t.name === 'no_mem_embed')!;
    const raw = vectorTensor.rawData!;
    const vector = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(vector.length).toBe(256);
    expect(vector.some((v) => v !== 0)).toBe(true);

    // The same pixels the pipeline fed the patched encoder, through the original graph.
    const pixels = samPixels(await stretch1024(target.image));
    const session = await ort.InferenceSession.create(encoderPath, { intraOpNumThreads: THREADS, graphOptimizationLevel: 'all' });
    const original = await session.run({ image: new ort.Tensor('float32', pixels, [1, 3, 1024, 1024]) });
    await session.release();

    const [l0, l1, l2] = target.embeddings.levels;
    const o0 = original.high_res_feats_0.data as Float32Array;
    const o1 = original.high_res_feats_1.data as Float32Array;
    const o2 = original.image_embed.data as Float32Array;
    const differing = (a: Float32Array, b: Float32Array) => a.reduce((n, v, i) => (v === b[i] ? n : n + 1), 0);
    expect(differing(l0, o0)).toBe(0);
    expect(differing(l1, o1)).toBe(0);
    // The original adds c in float32, so it is exactly fround(patched + c): original − c differs
    // from the patched level by that one rounding, at most 1.2e-7 (float32 epsilon) relative.
    let inexact = 0;
    let worst = 0;
    let moved = 0;
    for (let i = 0; i < o2.length; i++) {
      const c = vector[Math.floor(i / 4096)];
      if (o2[i] !== Math.fround(l2[i] + c)) inexact++;
      if (o2[i] !== 0) worst = Math.max(worst, Math.abs(o2[i] - c - l2[i]) / Math.abs(o2[i]));
      if (o2[i] !== l2[i]) moved++;
    }
    expect(inexact).toBe(0);
    expect(worst).toBeLessThanOrEqual(1.2e-7);
    // The removal did change the level (a no-op patch would pass the bound above only if c ≡ 0).
    expect(moved).toBeGreaterThan(o2.length * 0.9);
  });

  it('make a candidate set through the pipeline code (4×4 official grid, batches of 8 prompts)', async () => {
    const config = resolveProposalConfig({ preset: 'official', pointsPerSide: 4, iouThreshold: 0, pointsPerBatch: 8 });
    const modelId = await modelIdOf(models.info);
    const pipelineId = pipelineIdOf(config, { noMemEmbed: 'removed', maskClip: models.info.sam2.maskClip });
    const batches: number[] = [];
    const set = await candidateSet(models.sam2, target, config, { modelId, pipelineId }, (stage, ms) => {
      if (stage === 'sam2-decoder') batches.push(ms);
    });
    expect(batches).toHaveLength(2);
    expect(set).toMatchObject({ width: WIDTH, height: HEIGHT, modelId, pipelineId, dim: 32 });
    expect(modelId).toMatch(/^sam2:samexporter:fp32:[0-9a-f]{16}\+dinov2:d32r0:[0-9a-f]{16}$/);
    // One best-of-3 mask per prompt survives an IoU threshold of 0, unless its mask is empty.
    expect(set.candidates.length).toBeGreaterThan(0);
    expect(set.candidates.length).toBeLessThanOrEqual(16);
    for (const c of set.candidates) {
      expect(Number.isFinite(c.iou)).toBe(true);
      expect(c.mask.size).toEqual([HEIGHT, WIDTH]);
      expect(c.embedding).toHaveLength(32);
      const norm = Math.hypot(...c.embedding);
      expect(norm).toBeCloseTo(1, 5);
      const [x0, y0, x1, y1] = c.box256;
      expect(0 <= x0 && x0 <= x1 && x1 < 256 && 0 <= y0 && y0 <= y1 && y1 < 256).toBe(true);
    }
  });

  it('decode a batch of L = 3 prompts (has_mask_input [1]) exactly as three single prompts', async () => {
    const points = [100, 200, 700, 300, 512, 900];
    const batch = await models.sam2.decodePoints(target.embeddings, points);
    expect(batch.count).toBe(3);
    expect(batch.maskTokens).toBe(3);
    for (let p = 0; p < 3; p++) {
      const one = await models.sam2.decodePoints(target.embeddings, points.slice(p * 2, p * 2 + 2));
      let worst = 0;
      const cells = 3 * 256 * 256;
      for (let i = 0; i < cells; i++) worst = Math.max(worst, Math.abs(one.logits[i] - batch.logits[p * cells + i]));
      expect(worst).toBeLessThan(1e-4);
      for (let k = 0; k < 3; k++) expect(one.iou[k]).toBeCloseTo(batch.iou[p * 3 + k], 5);
    }
  });

  it('refuse has_mask_input of shape [L] for L > 1, which is why refseg always sends [1]', async () => {
    const spec = LAYOUTS.samexporter;
    const [l0, l1, l2] = target.embeddings.levels;
    const levels = levelTensors([l0.slice(), l1.slice(), l2.slice()]);
    const feeds = pointFeeds(spec, levels, new Float32Array([100, 200, 700, 300]), new Int32Array([1, 1]), 0, 2, new ZeroMasks());
    expect(feeds.has_mask_input.dims).toEqual([1]);
    // Severity 4: the refused run's own error log would only repeat the rejection asserted below.
    const session = await ort.InferenceSession.create(join(dir, 'sam2', 'decoder.onnx'), { intraOpNumThreads: THREADS, logSeverityLevel: 4 });
    try {
      const ok = await session.run(feeds);
      expect(ok.masks.dims).toEqual([2, 3, 256, 256]);
      const wrong = { ...feeds, has_mask_input: new ort.Tensor('float32', new Float32Array(2), [2]) };
      await expect(session.run(wrong)).rejects.toThrow(/Mul_14/);
    } finally {
      await session.release();
    }
  });
});
