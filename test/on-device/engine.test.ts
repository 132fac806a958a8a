// The browser's on-device engine (web/src/device/engine.ts + the web/device/worker.ts Web Worker on
// onnxruntime-web WASM) in headless Chromium against onnxruntime-node in Node, on the same PNG
// (so the test checks the engine, not the decoder): the stand-in SAM2 of each layout and the
// weightless real SAM2.1 graph. Same identity (model id, pipeline id, image hash), same masks
// (up to the 1e-5 boundary pixels docs/on-device.md explains), embeddings and IoUs within 1e-4,
// same detections. Also: the models come from the manifest with progress and are read from Cache
// Storage on the next visit, all under the web app's Content-Security-Policy. Cost: the real
// encoder runs once per runtime; grids stay tiny.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeviceModels } from '../../gpu-node/model-store/device-models.ts';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import { dinov2 } from '../../gpu-node/standin/dinov2.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { base64ToBytes } from '../../shared/encoding/index.ts';
import { decodeCandidateSet } from '../../shared/wire/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { webCsp } from '../../edge/routes/web.ts';
import { buildDeviceWorkers, DEVICE_WORKERS, deviceDefine, ortWebVersion } from '../../web/build.ts';
import { launchChromium, type RunningChromium } from '../browser/chromium.ts';
import { startPageServer, type PageServer } from '../browser/page-server.ts';
import { filledModelDir } from '../real-graph/fill.ts';
import { expectSameCandidates, expectSameDetections } from './compare.ts';
import type { DeviceRun } from './engine-entry.ts';
import { scenePng } from './scene.ts';

const ORT_DIST = join(import.meta.dirname, '..', '..', 'node_modules', 'onnxruntime-web', 'dist');

let dir: string;
let image: Uint8Array;
let server: PageServer;
let chromium: RunningChromium;
/** Model folders served under /models/<name>/. */
const folders = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-device-engine-'));
  image = await scenePng();
  const [workers, version] = await Promise.all([buildDeviceWorkers(), ortWebVersion()]);
  const entry = await build({
    entryPoints: [join(import.meta.dirname, 'engine-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: deviceDefine(workers, version),
  });
  const js = 'text/javascript; charset=utf-8';
  const files = new Map<string, { type: string; body: string | Uint8Array }>([
    ['/', { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>device engine</title><script type="module" src="/entry.js"></script>' }],
    ['/entry.js', { type: js, body: entry.outputFiles[0].text }],
    ['/scene.png', { type: 'image/png', body: image }],
    [`/${workers.wasm.name}`, { type: js, body: workers.wasm.body }],
  ]);
  // Cross-origin isolated, as a page must be for WASM threads.
  const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
  server = await startPageServer({}, async (request) => {
    const path = new URL(request.url).pathname;
    const fixed = files.get(path);
    // The page runs under the web app's own Content-Security-Policy.
    const csp: Record<string, string> = path === '/' ? { 'Content-Security-Policy': webCsp() } : {};
    if (fixed) return new Response(fixed.body as BodyInit, { headers: { 'Content-Type': fixed.type, ...isolation, ...csp } });
    const ort = /^\/ort\/([a-z.-]+\.wasm)$/.exec(path);
    if (ort && ort[1] === DEVICE_WORKERS.wasm.binary) return new Response(new Uint8Array(await readFile(join(ORT_DIST, ort[1]))), { headers: { 'Content-Type': 'application/wasm', ...isolation } });
    const model = /^\/models\/([a-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(path);
    const folder = model && folders.get(model[1]);
    if (folder) {
      const body = await readFile(join(folder, model![2])).catch(() => null);
      if (body) return new Response(new Uint8Array(body), { headers: { 'Content-Type': 'application/octet-stream', ...isolation } });
    }
    return new Response('not found', { status: 404 });
  });
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function inBrowser(folder: string, grid: number, threads = 1): Promise<DeviceRun> {
  const page = await chromium.context.newPage();
  try {
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'refsegDevice' in globalThis);
    return await page.evaluate(
      (o) => (globalThis as unknown as { refsegDevice(o: unknown): Promise<DeviceRun> }).refsegDevice(o),
      { modelsUrl: `/models/${folder}/`, wasmUrl: '/ort/', images: ['/scene.png'], grid, threads },
    );
  } finally {
    await page.close();
  }
}

async function inNode(sam2Dir: string, dinoPath: string, grid: number): Promise<CandidateSet> {
  const pipeline = await openPipeline({ sam2Dir, dinoPath, backend: 'node', threads: { intraOp: 1 } });
  try {
    return (await pipeline.candidates(image, { proposals: { preset: 'official', pointsPerSide: grid } })).set;
  } finally {
    await pipeline.close();
  }
}

async function serveFolder(name: string, sam2Dir: string, dinoPath: string): Promise<void> {
  const out = join(dir, 'served', name);
  await writeDeviceModels({ sam2Dir, dinoPath, outDir: out });
  folders.set(name, out);
}

describe('the on-device engine in headless Chromium against onnxruntime-node', () => {
  it.each(['sam2A', 'sam2B'] as const)('stand-in %s: same candidate set and detections; the models are kept for the next visit', async (which) => {
    const paths = await generateStandins(join(dir, which));
    const name = which.toLowerCase();
    await serveFolder(name, paths[which].dir, paths.dinoRegisters);
    const [node, web] = await Promise.all([inNode(paths[which].dir, paths.dinoRegisters, 8), inBrowser(name, 8)]);
    expect(web.info).toMatchObject({ provider: 'wasm', threads: 1, standin: true, modelId: node.modelId, dim: node.dim });
    const set = decodeCandidateSet(base64ToBytes(web.images[0].set));
    expect(node.candidates.length).toBeGreaterThan(2);
    expectSameCandidates(set, node);
    expect(await expectSameDetections(set, node)).toBeGreaterThan(0);
    // First visit of these models: each downloaded in full, with its size known (the WASM binary
    // may already be kept from an earlier test in this browser profile).
    const manifest = JSON.parse(await readFile(join(folders.get(name)!, 'manifest.json'), 'utf8'));
    const modelFiles = [manifest.encoder, manifest.decoder, manifest.dino].flatMap((g) => [g, ...g.data]);
    expect(web.progress.map((p) => p.file).sort()).toEqual([DEVICE_WORKERS.wasm.binary, ...modelFiles.map((f: { file: string }) => f.file)].sort());
    for (const p of web.progress) expect(p).toMatchObject({ cached: p.kind === 'runtime' ? p.cached : false, loaded: p.total });
    const last = web.progress.at(-1)!;
    expect(last.overall.loaded).toBe(last.overall.total);
    // Next visit (same browser profile): everything from Cache Storage, same set.
    const again = await inBrowser(name, 8);
    expect(again.progress.every((p) => p.cached)).toBe(true);
    expect(again.images[0].set).toBe(web.images[0].set);
  }, 120_000);

  it('weightless real SAM2.1 graph: same patches, candidate set and detections (WASM threads under cross-origin isolation)', async () => {
    const sam2Dir = filledModelDir(join(dir, 'real'));
    const dinoPath = join(dir, 'dinov2.onnx');
    await writeFile(dinoPath, dinov2().model);
    await serveFolder('real', sam2Dir, dinoPath);
    const [node, web] = await Promise.all([inNode(sam2Dir, dinoPath, 3), inBrowser('real', 3, 2)]);
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
