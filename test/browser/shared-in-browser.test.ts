// shared/ runs unchanged in a real browser: the same module (bundled for the browser platform, so
// a Node import would break the build) computes the same results in headless Chromium as in
// Node, and those results are the reference tools' (pycocotools, Pillow, node:crypto). Then the
// browser client drives the real edge app, served from the page's origin, whose gpu-node is a
// fake answering with the test's candidate set.
//
// Chromium must be installed (scripts/ensure-chromium.sh): without it every test here fails.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64ToBytes, readFloat32LE } from '../../shared/encoding/index.ts';
import { matchCandidates } from '../../shared/matching/index.ts';
import { BankFileSchema } from '../../shared/schemas.ts';
import { AddReferencesResponseSchema, BankListSchema, BankViewSchema, ImageResponseSchema, SegmentResponseSchema } from '../../edge/api/schemas.ts';
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { createMemoryStorage } from '../../edge/storage/index.ts';
import type { BrowserApi } from './browser-entry.ts';
import { bundleForBrowser } from './bundle.ts';
import type { BrowserBundle } from './bundle.ts';
import { launchChromium } from './chromium.ts';
import type { RunningChromium } from './chromium.ts';
import type { ClientScenarioInput, ClientScenarioResult } from './client-scenario.ts';
import { createFakeGpuNode } from './fake-gpu-node.ts';
import type { FakeGpuNode } from './fake-gpu-node.ts';
import { buildInputs, buildScene, SCENE_OPTIONS } from './inputs.ts';
import type { Expected, Scene } from './inputs.ts';
import { startPageServer } from './page-server.ts';
import type { PageServer } from './page-server.ts';
import { runSharedChecks } from './shared-checks.ts';
import type { SharedCheckResults } from './shared-checks.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const here = (file: string) => resolve(import.meta.dirname, file);
const sha256Node = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const GPU_SECRET = 'browser-test-gpu-secret';
const CLASSES = Array.from({ length: SCENE_OPTIONS.classes }, (_, c) => `class-${c}`);

/** A photo-like PNG of the scene's size (its bytes are the image the candidate set belongs to). */
async function scenePng(): Promise<Uint8Array> {
  const { width, height } = SCENE_OPTIONS;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([(x * 2) & 255, (y * 3) & 255, (x * y) & 255], (y * width + x) * 3);
  return new Uint8Array(await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

let chromium: RunningChromium | undefined;
let pageServer: PageServer | undefined;
let gpuServer: PageServer | undefined;
let page: Page;
let bundle: BrowserBundle;
let scene: Scene;
let expected: Expected;
let inBrowser: SharedCheckResults;
let inNode: SharedCheckResults;
let pageErrors: string[] = [];
let fakeGpu: FakeGpuNode;
let apiKey: string;

beforeAll(async () => {
  bundle = await bundleForBrowser(here('browser-entry.ts'));
  const png = await scenePng();
  scene = buildScene(sha256Node(png));
  const built = buildInputs(scene);
  expected = built.expected;
  const inputsJson = JSON.stringify(built.inputs);

  fakeGpu = createFakeGpuNode({ secret: GPU_SECRET, set: scene.set, vectors: new Map(CLASSES.map((name, c) => [name, scene.scene.prototypes[c]])) });
  gpuServer = await startPageServer({}, fakeGpu.handle);
  const config = configFromEnv({ REFSEG_GPU_NODES: gpuServer.url, REFSEG_GPU_SECRET: GPU_SECRET, REFSEG_LOG: 'off' });
  const edge = createEdgeApp({ storage: createMemoryStorage(), gpu: gpuPoolFromConfig(config), config });
  apiKey = (await edge.services.keys.create({ tenant: 'browser-tenant' })).secret;

  pageServer = await startPageServer(
    {
      '/': { type: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>refseg</title><script type="module" src="/refseg.js"></script>' },
      '/refseg.js': { type: 'text/javascript', body: bundle.code },
      '/inputs.json': { type: 'application/json', body: inputsJson },
      '/scene.png': { type: 'image/png', body: png },
    },
    edge.app.fetch,
  );

  chromium = await launchChromium();
  page = await chromium.context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${pageServer.url}/`);
  await page.waitForFunction(() => (globalThis as { refseg?: unknown }).refseg !== undefined, undefined, { timeout: 30_000 });

  inBrowser = await page.evaluate(async () => {
    const inputs = await (await fetch('/inputs.json')).json();
    return (globalThis as unknown as { refseg: BrowserApi }).refseg.runSharedChecks(inputs);
  });
  inNode = await runSharedChecks(JSON.parse(inputsJson));
});

afterAll(async () => {
  await chromium?.close();
  await pageServer?.close();
  await gpuServer?.close();
});

describe('shared/ bundled for the browser', () => {
  it('bundles with esbuild for the browser platform, pulling in shared/ and nothing of Node', () => {
    const files = Object.keys(bundle.contributions);
    for (const dir of ['shared/coco-mask/', 'shared/encoding/', 'shared/matching/', 'shared/resample/', 'shared/wire/', 'shared/client/']) {
      expect(files.some((f) => f.startsWith(dir)), dir).toBe(true);
    }
    expect(files.filter((f) => f.startsWith('node:') || f.startsWith('edge/') || f.startsWith('gpu-node/'))).toEqual([]);
  });

  it('refuses to bundle a module that imports a Node built-in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'refseg-bundle-'));
    try {
      const entry = join(dir, 'stray.ts');
      await writeFile(entry, `import { readFileSync } from 'node:fs';\nimport { sha256Hex } from ${JSON.stringify(join(ROOT, 'shared/encoding/index.ts'))};\nexport const f = [readFileSync, sha256Hex];\n`);
      await expect(bundleForBrowser(entry)).rejects.toThrow(/node:fs/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ships the client with no dependency: only shared/ code, a few kB', async () => {
    const client = await bundleForBrowser(join(ROOT, 'shared/client/index.ts'));
    const files = Object.keys(client.contributions);
    expect(files.filter((f) => !f.startsWith('shared/'))).toEqual([]);
    expect(files).toContain('shared/client/client.ts');
    expect(client.code.length).toBeLessThan(20_000);
  });

  it('runs in Chromium itself, without Node globals, and threw no page error', async () => {
    const env = await page.evaluate(() => ({
      userAgent: navigator.userAgent,
      process: typeof (globalThis as { process?: unknown }).process,
      buffer: typeof (globalThis as { Buffer?: unknown }).Buffer,
    }));
    expect(env.userAgent).toMatch(/HeadlessChrome\/\d+/);
    expect(env.process).toBe('undefined');
    expect(env.buffer).toBe('undefined');
    expect(pageErrors).toEqual([]);
  });
});

describe('the same results in Chromium and in Node', () => {
  it('RLE: every golden encode case gives pycocotools\' counts string, area and box, and decodes back', () => {
    expect(inBrowser.rle.length).toBe(expected.rle.length);
    expect(expected.rle.length).toBeGreaterThan(5);
    for (const [i, want] of expected.rle.entries()) {
      const got = inBrowser.rle[i];
      expect({ name: got.name, counts: got.counts, area: got.area, bbox: got.bbox }, want.name).toEqual(want);
      expect(got.decodesToInput, want.name).toBe(true);
    }
    expect(inBrowser.rle).toEqual(inNode.rle);
  });

  it('sha256Hex (WebCrypto) equals node:crypto', () => {
    expect(inBrowser.sha256).toEqual(expected.sha256);
    expect(inBrowser.sha256.find((h) => h.name === 'abc')?.hex).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(inNode.sha256).toEqual(expected.sha256);
  });

  it('decodes the candidate set Node encoded to the very set Node built', async () => {
    const { set } = scene;
    expect(set.candidates.length).toBeGreaterThan(50);
    expect(inBrowser.candidateSet).toEqual(inNode.candidateSet);
    expect(inBrowser.candidateSet).toMatchObject({
      imageSha256: set.imageSha256,
      width: set.width,
      height: set.height,
      dim: set.dim,
      modelId: set.modelId,
      pipelineId: set.pipelineId,
      candidates: set.candidates.length,
    });
  });

  it('matchCandidates in the browser deep-equals Node\'s detections on the original set', () => {
    const direct = JSON.parse(JSON.stringify(matchCandidates(scene.set, scene.scene.prototypes)));
    // A non-trivial result: several classes, and NMS/merge removed candidates.
    expect(direct.length).toBeGreaterThan(5);
    expect(direct.length).toBeLessThan(scene.set.candidates.length);
    expect(new Set(direct.map((d: { label: number }) => d.label)).size).toBeGreaterThan(1);
    expect(inBrowser.detections).toEqual(direct);
    expect(inNode.detections).toEqual(direct);
  });

  it('shared/render draws the same overlay (masks, outlines, label chips) in the browser as in Node', () => {
    expect(inBrowser.overlay.changed).toBeGreaterThan(1000);
    expect(inBrowser.overlay.colours.length).toBeGreaterThan(1);
    expect(inBrowser.overlay).toEqual(inNode.overlay);
  });

  it('Pillow bicubic: every golden case gives Pillow\'s bytes (SHA-256 of the output)', () => {
    expect(expected.resizes.length).toBeGreaterThan(3);
    expect(inBrowser.resizes).toEqual(expected.resizes);
    expect(inNode.resizes).toEqual(expected.resizes);
  });
});

describe('shared/client in Chromium against the edge app', () => {
  let result: ClientScenarioResult;

  beforeAll(async () => {
    // Box references well inside the image; the fake gpu-node returns each class's prototype.
    const input: ClientScenarioInput = {
      apiKey,
      imagePath: '/scene.png',
      classes: CLASSES,
      references: CLASSES.map((className, c) => ({ className, box: [4 + 10 * c, 5, 12, 9] })),
    };
    result = await page.evaluate((arg) => (globalThis as unknown as { refseg: BrowserApi }).refseg.runClientScenario(arg), input);
  });

  it('creates a bank, adds references and reads the bank back (responses match the edge schemas)', () => {
    const { created, added, fetched, listed } = result;
    expect(BankViewSchema.parse(created)).toEqual(created);
    expect(created.classes.map((k) => k.name)).toEqual(CLASSES);
    expect(created.referenceCount).toBe(0);
    expect(AddReferencesResponseSchema.parse(added)).toEqual(added);
    expect(added.references.map((r) => [r.className, r.negative, r.source.annotation])).toEqual(CLASSES.map((name) => [name, false, 'box']));
    expect(fetched.referenceCount).toBe(CLASSES.length);
    expect(fetched.dim).toBe(SCENE_OPTIONS.dim);
    expect(fetched.classes.map((k) => k.positives)).toEqual(CLASSES.map(() => 1));
    expect(BankListSchema.parse({ banks: listed }).banks.map((b) => b.id)).toEqual([created.id]);
  });

  it('segments the uploaded image: the edge\'s detections are Node\'s matchCandidates on the same set', () => {
    const { byUpload } = result;
    expect(SegmentResponseSchema.parse(byUpload)).toEqual(byUpload);
    expect(byUpload.cache).toBe('miss');
    expect(byUpload.imageId).toBe(scene.set.imageSha256);
    expect([byUpload.width, byUpload.height]).toEqual([SCENE_OPTIONS.width, SCENE_OPTIONS.height]);
    expect(byUpload.classes).toEqual(CLASSES);
    // The bank's prototypes are the normalised class vectors; scores may differ in the last bits
    // from matching against the raw vectors, everything discrete must be equal.
    const want = matchCandidates(scene.set, scene.scene.prototypes);
    expect(want.length).toBeGreaterThan(5);
    expect(byUpload.detections.map(({ score: _s, ...d }) => d)).toEqual(want.map(({ score: _s, ...d }) => ({ class: CLASSES[d.label], ...d })));
    byUpload.detections.forEach((d, i) => expect(Math.abs(d.score - want[i].score), `score ${i}`).toBeLessThan(1e-6));
  });

  it('uploads the image once, then segments it by imageId from the cache (no gpu work)', () => {
    const { uploaded, byImageId, byUpload } = result;
    expect(ImageResponseSchema.parse(uploaded)).toEqual(uploaded);
    expect(uploaded.imageId).toBe(scene.set.imageSha256);
    expect(uploaded.candidates).toBe(scene.set.candidates.length);
    expect(uploaded.cache).toBe('hit');
    expect(byImageId.cache).toBe('hit');
    expect(byImageId.detections).toEqual(byUpload.detections);
    expect(fakeGpu.calls.get('/v1/candidates')).toBe(1);
  });

  it('exports the bank file with the vectors the gpu-node gave', () => {
    const file = BankFileSchema.parse(result.exported);
    expect(file.dim).toBe(SCENE_OPTIONS.dim);
    expect(file.classes.map((k) => k.name)).toEqual(CLASSES);
    file.classes.forEach((k, c) => {
      expect(k.instances).toHaveLength(1);
      expect(Array.from(readFloat32LE(base64ToBytes(k.instances[0].vector), 0, file.dim))).toEqual(Array.from(scene.scene.prototypes[c]));
    });
  });

  it('surfaces problems as RefsegApiError (a RefsegError) with the problem+json body', () => {
    const { unknownBank, badOptions, afterDelete } = result;
    expect(unknownBank).toMatchObject({
      isRefsegApiError: true,
      isRefsegError: true,
      name: 'RefsegApiError',
      status: 404,
      type: 'https://refseg.dev/problems/not-found',
      detail: 'No bank with id "no-such-bank".',
      requestId: 'browser-missing-1',
      problem: { status: 404, resource: 'bank', id: 'no-such-bank', requestId: 'browser-missing-1' },
    });
    expect(badOptions).toMatchObject({ isRefsegApiError: true, status: 422, type: 'https://refseg.dev/problems/invalid-value', field: 'options.maxDetections' });
    expect(afterDelete).toMatchObject({ isRefsegApiError: true, status: 404, type: 'https://refseg.dev/problems/not-found' });
  });
});
