// onnxruntime-web (WASM) gives the same candidate sets and detections as onnxruntime-node on the
// same image: the stand-ins (both SAM2 layouts) and the weightless real SAM2.1 graph (refilled
// with seeded values). Masks and boxes must be identical, embeddings and IoUs within 1e-4.
// Cost: the real graph's encoder runs once per runtime (seconds each); grids stay tiny.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModels, type Runtime } from '../../gpu-node/models/index.ts';
import { openPipeline, type GpuPipeline, type PipelineOptions } from '../../gpu-node/pipeline/index.ts';
import { dinov2 } from '../../gpu-node/standin/dinov2.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { expectSameCandidates, expectSameDetections } from './compare.ts';
import { scenePng } from './scene.ts';

let dir: string;
let image: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-web-backend-'));
  image = await scenePng();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function candidatesOn(backend: Runtime, options: Omit<PipelineOptions, 'backend'>, grid: number) {
  const pipeline: GpuPipeline = await openPipeline({ ...options, backend, threads: { intraOp: 1 } });
  try {
    const { set } = await pipeline.candidates(image, { proposals: { preset: 'official', pointsPerSide: grid } });
    return { set, info: pipeline.info };
  } finally {
    await pipeline.close();
  }
}

describe('the web runtime (onnxruntime-web WASM) against the node runtime', () => {
  it.each(['sam2A', 'sam2B'] as const)('stand-in %s: same candidate set and detections', async (which) => {
    const paths = await generateStandins(join(dir, which));
    const options = { sam2Dir: paths[which].dir, dinoPath: paths.dinoRegisters };
    const node = await candidatesOn('node', options, 8);
    const web = await candidatesOn('web', options, 8);
    expect(web.info.backend).toBe('web');
    expect(node.info.backend).toBe('node');
    expect(web.info.sam2.layout).toBe(node.info.sam2.layout);
    expect(web.info.sam2.noMemEmbed).toBe('removed');
    expect(node.set.candidates.length).toBeGreaterThan(2);
    expectSameCandidates(web.set, node.set);
    expect(await expectSameDetections(web.set, node.set)).toBeGreaterThan(0);
  });

  it('asked for WebGPU where there is none (Node), falls back to WASM and says so in one line', async () => {
    const paths = await generateStandins(join(dir, 'webgpu'));
    const log: string[] = [];
    const models = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dinoRegisters, backend: 'web', provider: 'webgpu', threads: { intraOp: 1 }, log: (l) => log.push(l) });
    try {
      expect(models.info).toMatchObject({ backend: 'web', provider: 'cpu' });
      expect(models.info.sam2.fallbackReason).toEqual(expect.any(String));
      expect(log).toHaveLength(1);
      expect(log[0]).toMatch(/^refseg: WEBGPU execution provider unavailable \(.+\); running the models on WASM\.$/);
    } finally {
      await models.close();
    }
  });

  it('weightless real SAM2.1 graph: same patches, candidate set and detections', async () => {
    const sam2Dir = filledModelDir(join(dir, 'real'));
    const dinoPath = join(dir, 'dinov2.onnx');
    await writeFile(dinoPath, dinov2().model);
    const options = { sam2Dir, dinoPath };
    const node = await candidatesOn('node', options, 3);
    const web = await candidatesOn('web', options, 3);
    for (const key of ['layout', 'noMemEmbed', 'noMemEmbedNode', 'maskClip', 'maskClipNode'] as const) expect(web.info.sam2[key]).toBe(node.info.sam2[key]);
    expect(web.info.sam2.noMemEmbedNode).toBe('/Add');
    expect(node.set.candidates.length).toBeGreaterThan(0);
    // Seeded random weights make noisy logits, many of them near 0: a few boundary pixels in a
    // million may flip (measured: docs/on-device.md); boxes, IoUs and embeddings must still agree.
    const tolerance = { maskPixels: 1e-5 };
    const diff = expectSameCandidates(web.set, node.set, tolerance);
    console.log(`real graph, web vs node: ${node.set.candidates.length} candidates of ${node.set.width}×${node.set.height}, ${diff.maskPixelsDiff} mask pixels differ, max embedding diff ${diff.maxEmbeddingDiff.toExponential(2)}, max IoU diff ${diff.maxIouDiff.toExponential(2)}`);
    await expectSameDetections(web.set, node.set, tolerance);
  }, 120_000);
});
