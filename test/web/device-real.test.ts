// The page's "on this device" mode end to end with the real engine (web/src/device/engine.ts, its
// Web Worker on onnxruntime-web WASM) in headless Chromium, on stand-in models served as an edge
// serves them (REFSEG_DEVICE_MODELS_DIR: a writeDeviceModels folder; onnxruntime-web's WASM from the
// Node edge's /device/ort/): the warning names the real
// files and sizes, the engine opens, an image segmented with "the image never leaves" on the 8×8
// grid gives the detections of the Node pipeline (onnxruntime-node) matched against the bank the
// edge's way, and the candidate set sent instead (the gpu-nodes run the device-8 preset) gives the
// same detections from the edge; after a reload the files come from the browser's Cache Storage, not the network.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchingBankOfFile } from '../../web/src/device/local-match.ts';
import { writeDeviceModels } from '../../gpu-node/model-store/device-models.ts';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import type { GpuPipeline } from '../../gpu-node/pipeline/index.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { matchBank } from '../../shared/bank/index.ts';
import type { RefsegClient } from '../../shared/client/index.ts';
import { decodeRle } from '../../shared/coco-mask/index.ts';
import type { Rle } from '../../shared/types.ts';
import { checkSegmentOptions, resolveSegmentOptions } from '../../edge/segment/options.ts';
import { launchChromium } from '../browser/chromium.ts';
import type { RunningChromium } from '../browser/chromium.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { openShapesSegment, shapesBank } from './device-harness.ts';
import { startWebStack } from './harness.ts';
import type { WebStack } from './harness.ts';
import { waitForJobs, watch } from './page.ts';

const SEGMENT_OPTIONS = { scoreThreshold: 0, maxDetections: 100 };

let dir: string;
let gpu: StandinGpuNode;
let scenes: TestScenes;
let pipeline: GpuPipeline;
let stack: WebStack;
let chromium: RunningChromium;
let key: string;
let client: RefsegClient;
let bankId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-device-ui-'));
  const paths = await generateStandins(dir);
  await writeDeviceModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, outDir: join(dir, 'device') });
  [gpu, scenes, pipeline] = await Promise.all([startStandinGpuNode(), testScenes(), openPipeline({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads: { intraOp: 1 } })]);
  stack = await startWebStack('node', gpu, { env: { REFSEG_DEVICE_MODELS_DIR: join(dir, 'device') } });
  chromium = await launchChromium();
  ({ key, client, bankId } = await shapesBank(stack, scenes, 'device-real', false));
}, 180_000);
afterAll(async () => {
  await chromium?.close();
  await stack?.close();
  await pipeline?.close();
  await gpu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const png = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'image/png', buffer: Buffer.from(bytes) });

async function cocoOf(page: Page): Promise<{ annotations: { category_id: number; score: number; bbox: number[]; segmentation: Rle }[] }> {
  const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, page.getByRole('button', { name: 'COCO JSON', exact: true }).click()]);
  return JSON.parse((await readFile((await download.path())!)).toString('utf8'));
}

describe('the on-device mode with the real engine (stand-in models, WASM)', () => {
  it('downloads the models once, segments on the 8×8 grid as the Node pipeline does, and reads the models from the cache after a reload', async () => {
    expect(pipeline.modelId).toBe(gpu.modelId);
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const w = await watch(page, 'device-real');
    const engineFiles: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.method() === 'GET' && /^\/device\/(models|ort)\//.test(path) && !path.endsWith('manifest.json')) engineFiles.push(path);
    });
    await page.goto(stack.url);
    await openShapesSegment(page, key);
    await page.getByRole('radio', { name: /^On this device/ }).check();
    const warning = page.getByRole('group', { name: 'Download before first use' });
    await warning.waitFor();
    // The WASM binary (about 14 MB) and the three stand-in graphs, with their sizes.
    expect(await warning.textContent()).toMatch(/ort-wasm-simd-threaded\.wasm 1\d MB/);
    expect(await warning.textContent()).toMatch(/prompt_encoder_mask_decoder\.onnx \d+ kB/);
    await w.shot('real-size-warning');

    await page.getByRole('button', { name: /^Download .* and start$/ }).click();
    await expect.poll(() => page.locator('.device-status').textContent(), { timeout: 120_000 }).toMatch(/^Ready: .* on WASM/);
    expect(await page.locator('.device-status').textContent()).toContain(gpu.modelId);
    // The edge serves the page cross-origin isolated, so the engine runs WASM on the hardware's threads (at most 4).
    const threads = await page.evaluate(() => (crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 0));
    expect(threads).toBeGreaterThan(0);
    expect(await page.locator('.device-status').textContent()).toContain(`WASM, ${threads} thread${threads > 1 ? 's' : ''}, opened in`);
    await w.shot('real-ready');

    await page.getByLabel('Prompt grid').selectOption('8');
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target.png', scenes.target.bytes)]);
    await waitForJobs(page, 1);
    expect(await page.locator('.queue li.state-done .job-state').textContent()).toMatch(/, 8×8 grid, image never left$/);
    expect(w.segmentRequests).toBe(0);
    // Where the device spent its time, per stage, as the engine measured it (written when the
    // result is drawn, which follows the queue's "done" once the image is decoded for the view).
    await expect.poll(() => page.locator('.stages').textContent()).toMatch(/^\d+ candidates; stages: .*\bsam2-encoder [\d.]+ m?s\b.*\bdinov2 [\d.]+ m?s\b/);
    await w.shot('real-local-result');
    await page.getByLabel('Minimum score').fill('0');

    // The Node pipeline on the same image and grid, matched against the same bank as the edge would.
    const { set } = await pipeline.candidates(scenes.target.bytes, { proposals: { preset: 'official', pointsPerSide: 8 } });
    const bank = matchingBankOfFile(bankId, 'test', await client.exportBank(bankId));
    const expected = matchBank(set, bank, resolveSegmentOptions(bank, checkSegmentOptions(SEGMENT_OPTIONS, 'options')).pipeline);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const mine = (await cocoOf(page)).annotations;
    expect(mine.map((a) => [a.category_id - 1, a.bbox])).toEqual(expected.map((d) => [d.label, d.bbox]));
    mine.forEach((a, i) => {
      expect(Math.abs(a.score - expected[i].score)).toBeLessThan(1e-4);
      // Masks equal up to the boundary pixels whose logit sits within float error of 0 (docs/on-device.md).
      const [x, y] = [decodeRle(a.segmentation), decodeRle(expected[i].mask)];
      let differ = 0;
      for (let p = 0; p < x.length; p++) if (x[p] !== y[p]) differ++;
      expect(differ / x.length).toBeLessThanOrEqual(1e-5);
    });

    // The edge takes only sets of pipelines its gpu-nodes run; they run the device-8 preset (an 8×8
    // grid), so the sent set is matched there with the detections of the local match.
    const info = (await (await fetch(`${gpu.url}/v1/info`, { headers: { Authorization: `Bearer ${gpu.secret}` } })).json()) as { pipelineIds: Record<string, string> };
    expect(info.pipelineIds['device-8']).toBe(set.pipelineId);
    await page.getByRole('radio', { name: /^Only the candidate set/ }).check();
    const sent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `/v1/banks/${bankId}/segment-candidates`);
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target-again.png', scenes.target.bytes)]);
    await sent;
    await waitForJobs(page, 2);
    await page.getByRole('button', { name: 'Show target-again.png' }).click();
    expect((await cocoOf(page)).annotations).toEqual(mine);
    await w.shot('real-candidates-result');

    // A reload opens the engine from the browser's Cache Storage: no model or WASM file is fetched again.
    const fetchedBefore = engineFiles.length;
    // The WASM binary, the encoder and its external data, the decoder, DINOv2.
    expect(fetchedBefore).toBe(5);
    await page.reload();
    await openShapesSegment(page);
    await expect.poll(() => page.locator('.device-status').textContent(), { timeout: 120_000 }).toMatch(/^Ready: /);
    expect(engineFiles.length).toBe(fetchedBefore);
    expect(w.errors).toEqual([]);
    await page.close();
  }, 600_000);
});
