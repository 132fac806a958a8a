// The browser's on-device engine (web/src/device/engine.ts + the web/device/worker.ts Web Worker on
// onnxruntime-web WASM) in headless Chromium against onnxruntime-node in Node, on the same PNG
// (so the test checks the engine, not the decoder): the stand-in SAM2 of each layout and the
// weightless real SAM2.1 graph. Same identity (model id, pipeline id, image hash), same masks
// (up to the 1e-5 boundary pixels docs/on-device.md explains), embeddings and IoUs within 1e-4,
// same detections. Also: the models come from the manifest with progress and are read from Cache
// Storage on the next visit, all under the web app's Content-Security-Policy. Cost: the real
// encoder runs once per runtime; grids stay tiny.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import { dinov2 } from '../../gpu-node/standin/dinov2.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { base64ToBytes } from '../../shared/encoding/index.ts';
import { decodeCandidateSet } from '../../shared/wire/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { DEVICE_WORKERS } from '../../web/build.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { startDeviceBrowser, type DeviceBrowser } from './browser-harness.ts';
import { expectSameCandidates, expectSameDetections } from './compare.ts';
import { scenePng } from './scene.ts';

let dir: string;
let image: Uint8Array;
let browser: DeviceBrowser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-device-engine-'));
  image = await scenePng();
  browser = await startDeviceBrowser({ 'scene.png': image });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

async function inNode(sam2Dir: string, dinoPath: string, grid: number): Promise<CandidateSet> {
  const pipeline = await openPipeline({ sam2Dir, dinoPath, backend: 'node', threads: { intraOp: 1 } });
  try {
    return (await pipeline.candidates(image, { proposals: { preset: 'official', pointsPerSide: grid } })).set;
  } finally {
    await pipeline.close();
  }
}

describe('the on-device engine in headless Chromium against onnxruntime-node', () => {
  it.each(['sam2A', 'sam2B'] as const)('stand-in %s: same candidate set and detections; the models are kept for the next visit', async (which) => {
    const paths = await generateStandins(join(dir, which));
    const name = which.toLowerCase();
    const served = await browser.addModels(name, paths[which].dir, paths.dinoRegisters, join(dir, 'served', name));
    const [node, web] = await Promise.all([inNode(paths[which].dir, paths.dinoRegisters, 8), browser.run(name, { images: ['scene.png'], grid: 8 })]);
    expect(web.info).toMatchObject({ provider: 'wasm', threads: 1, standin: true, modelId: node.modelId, dim: node.dim });
    const set = decodeCandidateSet(base64ToBytes(web.images[0].set));
    expect(node.candidates.length).toBeGreaterThan(2);
    expectSameCandidates(set, node);
    expect(await expectSameDetections(set, node)).toBeGreaterThan(0);
    // First visit of these models: each downloaded in full, with its size known (the WASM binary
    // may already be kept from an earlier test in this browser profile).
    const manifest = JSON.parse(await readFile(join(served, 'manifest.json'), 'utf8'));
    const modelFiles = [manifest.encoder, manifest.decoder, manifest.dino].flatMap((g) => [g, ...g.data]);
    expect(web.progress.map((p) => p.file).sort()).toEqual([DEVICE_WORKERS.wasm.binary, ...modelFiles.map((f: { file: string }) => f.file)].sort());
    for (const p of web.progress) expect(p).toMatchObject({ cached: p.kind === 'runtime' ? p.cached : false, loaded: p.total });
    const last = web.progress.at(-1)!;
    expect(last.overall.loaded).toBe(last.overall.total);
    // Next visit (same browser profile): everything from Cache Storage, same set.
    const again = await browser.run(name, { images: ['scene.png'], grid: 8 });
    expect(again.progress.every((p) => p.cached)).toBe(true);
    expect(again.images[0].set).toBe(web.images[0].set);
  }, 120_000);

  it('weightless real SAM2.1 graph: same patches, candidate set and detections (WASM threads under cross-origin isolation)', async () => {
    const sam2Dir = filledModelDir(join(dir, 'real'));
    const dinoPath = join(dir, 'dinov2.onnx');
    await writeFile(dinoPath, dinov2().model);
    await browser.addModels('real', sam2Dir, dinoPath, join(dir, 'served', 'real'));
    const [node, web] = await Promise.all([inNode(sam2Dir, dinoPath, 3), browser.run('real', { images: ['scene.png'], grid: 3, threads: 2, isolated: true })]);
    expect(web.crossOriginIsolated).toBe(true);
    // standin: the DINOv2 here is the project's stand-in.
    expect(web.info).toMatchObject({ provider: 'wasm', threads: 2, standin: true, modelId: node.modelId });
    const set = decodeCandidateSet(base64ToBytes(web.images[0].set));
    expect(set.pipelineId).toBe('official/v1;grid=3;iou>0.4;nme=removed;clip=removed');
    expect(node.candidates.length).toBeGreaterThan(0);
    const tolerance = { maskPixels: 1e-5 };
    const diff = expectSameCandidates(set, node, tolerance);
    const stages = Object.entries(web.images[0].stages).map(([s, ms]) => `${s} ${Math.round(ms)} ms`).join(', ');
    console.log(`real graph, Chromium vs node: ${node.candidates.length} candidates, ${diff.maskPixelsDiff} mask pixels differ, max embedding diff ${diff.maxEmbeddingDiff.toExponential(2)}, max IoU diff ${diff.maxIouDiff.toExponential(2)}; open ${Math.round(web.info.openMs)} ms; ${stages}`);
    await expectSameDetections(set, node, tolerance);
  }, 240_000);
});
