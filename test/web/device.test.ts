// The page's "on this device" mode in real Chromium, with the fake engine of test/web/fake-engine.ts
// (candidate sets from the Node pipeline; the browser engine itself is tested under
// test/on-device/): the on-device bundle is not fetched until the switch; the size warning names
// the files and their sizes; the download shows bytes and percent and can be cancelled; matched on
// the device, the page's detections equal the edge's /segment answer for the same image (COCO
// download: classes, scores, boxes, masks) with no image upload and no segment request; with
// "only the candidate set", the set goes to /segment-candidates and the answer equals the edge's;
// the choice is remembered per bank across reloads. Screenshots: out/web-test/device-*/.
import { readFile } from 'node:fs/promises';
import type { Download, Page, Request as PwRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefsegClient, SegmentResponse } from '../../shared/client/index.ts';

import { launchChromium } from '../browser/chromium.ts';
import type { RunningChromium } from '../browser/chromium.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { fakeDevice, openShapesSegment, shapesBank } from './device-harness.ts';
import type { FakeDevice } from './device-harness.ts';
import { startWebStack } from './harness.ts';
import type { WebStack } from './harness.ts';
import { unlabelled, waitForJobs, watch } from './page.ts';

let gpu: StandinGpuNode;
let scenes: TestScenes;
let device: FakeDevice;
let stack: WebStack;
let chromium: RunningChromium;
let key: string;
let client: RefsegClient;
let bankId: string;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
  device = await fakeDevice(gpu);
  stack = await startWebStack('node', gpu, { intercept: (r) => device.intercept(r) });
  chromium = await launchChromium();
  ({ key, client, bankId } = await shapesBank(stack, scenes, 'device', true));
}, 120_000);
afterAll(async () => {
  await chromium?.close();
  await stack?.close();
  await gpu?.close();
});

/** As the page asks (web/src/views/segment.ts): everything down to score 0. */
const SEGMENT_OPTIONS = { scoreThreshold: 0, maxDetections: 100 };

const png = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'image/png', buffer: Buffer.from(bytes) });

async function downloadOf(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  return readFile((await download.path())!);
}

/** The COCO file of the shown image at threshold 0 equals the API's detections. */
async function expectSameDetections(page: Page, api: SegmentResponse) {
  await page.getByLabel('Minimum score').fill('0');
  await expect.poll(() => page.locator('.detections li.det').count()).toBe(api.detections.length);
  const coco = JSON.parse((await downloadOf(page, () => page.getByRole('button', { name: 'COCO JSON', exact: true }).click())).toString('utf8'));
  const mine = coco.annotations.map((a: { category_id: number; score: number; bbox: number[]; segmentation: unknown; area: number }) => [a.category_id - 1, a.score, a.bbox, a.area, a.segmentation]);
  expect(mine).toEqual(api.detections.map((d) => [d.label, d.score, d.bbox, d.area, d.mask]));
}

const radio = (page: Page, name: RegExp) => page.getByRole('radio', { name });

describe('the on-device mode of the web app (fake engine)', () => {
  it('desktop: lazy bundle, size warning, progress, cancel, local matching, candidate set, remembered', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    const w = await watch(page, 'device-desktop');
    const requests: string[] = [];
    page.on('request', (r: PwRequest) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    const deviceBundle = () => requests.filter((r) => /\/assets\/device-[0-9a-f]{10}\.js$/.test(r));

    await page.goto(stack.url);
    await openShapesSegment(page, key);
    await radio(page, /^On the server/).waitFor();
    expect(await radio(page, /^On the server/).isChecked()).toBe(true);
    await w.shot('server-mode');
    // The on-device code stays on the server until the switch.
    expect(deviceBundle()).toEqual([]);

    await radio(page, /^On this device/).check();
    const warning = page.getByRole('group', { name: 'Download before first use' });
    await warning.waitFor();
    expect(deviceBundle()).toHaveLength(1);
    // 3 + 1 + 2 MB of models and 1.5 MB of runtime, each named.
    expect(await warning.textContent()).toMatch(/First use downloads 7\.5 MB/);
    for (const f of ['sam2.1_hiera_tiny.encoder.onnx 3.0 MB', 'dinov2_vits14.onnx 2.0 MB', 'ort-wasm-simd-threaded.wasm 1.5 MB']) expect(await warning.textContent()).toContain(f);
    // Nothing downloaded before the yes (sizes come from the manifest and HEAD requests).
    expect(requests.filter((r) => /^GET \/device\/(models|ort)\//.test(r) && !r.endsWith('manifest.json'))).toEqual([]);
    await w.shot('size-warning');

    // Download with progress, held halfway through the first model file, then cancelled.
    device.hold();
    await page.getByRole('button', { name: 'Download 7.5 MB and start' }).click();
    const progressText = page.locator('.device-progress-text');
    await expect.poll(() => progressText.textContent(), { timeout: 30_000 }).toMatch(/^Downloading sam2\.1_hiera_tiny\.encoder\.onnx: .* of 7\.5 MB \(\d+%\)$/);
    // Bar and text read at one moment (the download runs on up to the hold).
    const [value, max, text] = await page.getByRole('progressbar', { name: 'Model download' }).evaluate((b) => {
      const bar = b as HTMLProgressElement;
      return [bar.value, bar.max, document.querySelector('.device-progress-text')!.textContent!] as const;
    });
    expect(max).toBe(7_500_000);
    expect(value).toBeGreaterThan(1_500_000);
    expect(value).toBeLessThan(7_500_000);
    expect(text).toContain(`(${Math.floor((100 * value) / max)}%)`);
    await w.shot('downloading');
    await page.getByRole('button', { name: 'Cancel download' }).click();
    await expect.poll(() => radio(page, /^On the server/).isChecked()).toBe(true);
    device.release();

    // Again, to the end: the engine opens.
    await radio(page, /^On this device/).check();
    await page.getByRole('button', { name: 'Download 7.5 MB and start' }).click();
    await expect.poll(() => page.locator('.device-status').textContent(), { timeout: 60_000 }).toMatch(/^Ready: .* on WASM, 1 thread, opened in/);
    await w.shot('device-ready');

    // "Nothing leaves": the image is neither uploaded nor segmented at the edge.
    expect(await radio(page, /^Nothing: the image never leaves/).isChecked()).toBe(true);
    const before = requests.length;
    const setsBefore = device.setsMade;
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target.png', scenes.target.bytes)]);
    await waitForJobs(page, 1);
    expect(device.setsMade).toBe(setsBefore + 1);
    expect(await page.locator('.queue li.state-done .job-state').first().textContent()).toMatch(/^Done: \d+ detections, on this device in [\d.]+ s, image never left$/);
    const edgeCalls = requests.slice(before).filter((r) => !r.includes('/test/device-candidates') && !r.startsWith('GET /assets/') && !r.startsWith('GET blob:'));
    expect(edgeCalls.every((r) => r === `GET /v1/banks/${bankId}` || r === `GET /v1/banks/${bankId}/export`), edgeCalls.join('\n')).toBe(true);
    expect(w.segmentRequests).toBe(0);
    await w.shot('device-local-result');
    // The same detections as the edge's own answer for this image.
    const server = await client.segment(bankId, new Blob([Buffer.from(scenes.target.bytes)], { type: 'image/png' }), SEGMENT_OPTIONS);
    expect(server.detections.length).toBeGreaterThanOrEqual(3);
    await expectSameDetections(page, server);

    // "Only the candidate set": the set goes to /segment-candidates; the answer is the edge's.
    await radio(page, /^Only the candidate set/).check();
    const [sent] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `/v1/banks/${bankId}/segment-candidates`),
      page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target2.png', scenes.target2.bytes)]),
    ]);
    expect(sent.headers()['content-type']).toBe('application/vnd.refseg.candidate-set');
    await waitForJobs(page, 2);
    await page.getByRole('button', { name: 'Show target2.png' }).click();
    expect(await page.locator('.queue li.state-done .job-state').nth(1).textContent()).toMatch(/^Done: \d+ detections, on this device in [\d.]+ s, candidate set sent$/);
    const server2 = await client.segment(bankId, new Blob([Buffer.from(scenes.target2.bytes)], { type: 'image/png' }), SEGMENT_OPTIONS);
    // The edge cached the set it was sent: its own /segment of the image is a hit.
    expect(server2.cache).toBe('hit');
    await expectSameDetections(page, server2);
    expect(w.segmentRequests).toBe(0);
    await w.shot('device-candidates-result');

    // Remembered for this bank: after a reload the switch is on this device, and the kept files open without a new warning.
    await page.reload();
    await openShapesSegment(page);
    await expect.poll(() => radio(page, /^On this device/).isChecked()).toBe(true);
    expect(await radio(page, /^Only the candidate set/).isChecked()).toBe(true);
    await expect.poll(() => page.locator('.device-status').textContent(), { timeout: 60_000 }).toMatch(/^Ready: /);
    expect(await unlabelled(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await w.shot('device-ready-dark');
    expect(w.errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('an edge that offers no on-device models: the page says so and stays usable on the server', async () => {
    const page = await chromium.context.newPage();
    const w = await watch(page, 'device-unavailable');
    // What GET /device/config answers on an edge without REFSEG_DEVICE_MODELS_DIR / _URL.
    await page.route('**/device/config', (route) => route.fulfill({ json: { modelsUrl: null, wasmUrl: 'device/ort/' } }));
    await page.goto(stack.url);
    await page.evaluate(() => localStorage.clear());
    await openShapesSegment(page, key);
    await radio(page, /^On this device/).check();
    await expect.poll(() => page.locator('.device-status').textContent()).toMatch(/^This refseg offers no models for on-device use: its operator can serve them \(REFSEG_DEVICE_MODELS_DIR or REFSEG_DEVICE_MODELS_URL/);
    // An image queued meanwhile fails with words, not silently.
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target.png', scenes.target.bytes)]);
    await expect.poll(() => page.locator('.queue li.state-failed .job-state').textContent()).toMatch(/^Failed: The on-device models are not loaded/);
    await w.shot('unavailable');
    await radio(page, /^On the server/).check();
    expect(w.errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('phone: the same flow fits 390 px, dark and light', async () => {
    const page = await chromium.context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'dark' });
    const w = await watch(page, 'device-phone');
    await page.goto(stack.url);
    // A browser that never opened the engine: the warning comes first.
    await page.evaluate(() => localStorage.clear());
    await openShapesSegment(page, key);
    await radio(page, /^On this device/).check();
    await page.getByRole('group', { name: 'Download before first use' }).waitFor();
    await w.shot('size-warning');
    device.hold();
    await page.getByRole('button', { name: 'Download 7.5 MB and start' }).click();
    await expect.poll(() => page.locator('.device-progress-text').textContent(), { timeout: 30_000 }).toMatch(/\(\d+%\)$/);
    await w.shot('downloading');
    device.release();
    await expect.poll(() => page.locator('.device-status').textContent(), { timeout: 60_000 }).toMatch(/^Ready: /);
    await radio(page, /^Nothing: the image never leaves/).check();
    await page.locator('.dropzone input[type=file][multiple]').first().setInputFiles([png('target.png', scenes.target.bytes)]);
    await waitForJobs(page, 1);
    await w.shot('local-result');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.emulateMedia({ colorScheme: 'light' });
    await w.shot('local-result-light');
    expect(await unlabelled(page)).toEqual([]);
    expect(w.errors).toEqual([]);
    await page.close();
  }, 180_000);
});
