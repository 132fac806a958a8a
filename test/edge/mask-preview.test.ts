// POST /v1/masks/preview and GET /v1/info through the Node edge, forwarding to a real gpu-node on
// stand-in models: the mask a box or clicks make of a known scene object, that a previewed box is
// the mask a box reference stores, orientation, and every bounded input refused with a problem.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rleIou } from '../../shared/coco-mask/index.ts';
import type { Rle } from '../../shared/types.ts';
import { edgeEnv } from './api-suite.ts';
import { call, filePart } from './harness/client.ts';
import type { ApiResponse } from './harness/client.ts';
import { startStandinGpuNode } from './harness/gpu-node.ts';
import type { StandinGpuNode } from './harness/gpu-node.ts';
import { startEdge } from './harness/runtimes.ts';
import type { RunningEdge, RuntimeName } from './harness/runtimes.ts';
import { testScenes } from './harness/scenes.ts';
import type { TestScenes } from './harness/scenes.ts';

const iou = (a: Rle, b: Rle): number => rleIou([a], [b], [0])[0][0];

const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';

let gpu: StandinGpuNode;
let scenes: TestScenes;
let edge: RunningEdge;
let key: string;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
  edge = await startEdge('node', edgeEnv({ adminKey: ADMIN_KEY, gpu }));
  const created = await call(edge.url, 'POST', '/v1/admin/keys', { token: ADMIN_KEY, json: { tenant: 'acme' } });
  expect(created.status).toBe(201);
  key = created.body.secret;
});
afterAll(async () => {
  await edge?.close();
  await gpu?.close();
});

function previewForm(image: Uint8Array, prompt: unknown, type = 'image/png'): FormData {
  const form = new FormData();
  form.append('image', filePart(image, type));
  form.append('prompt', typeof prompt === 'string' ? prompt : JSON.stringify(prompt));
  return form;
}

const preview = (image: Uint8Array, prompt: unknown, query = '', type?: string): Promise<ApiResponse> =>
  call(edge.url, 'POST', `/v1/masks/preview${query}`, { token: key, form: previewForm(image, prompt, type) });

function expectProblem(res: ApiResponse, status: number, slug: string, field?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
  expect(res.body.type).toBe(`https://refseg.dev/problems/${slug}`);
  if (field !== undefined) expect(res.body.field).toBe(field);
}

// scenes.target (400×300): red discs at (90, 80) r 42 and (310, 220) r 38, blue rectangle
// [200, 330) × [30, 120), green disc at (100, 225) r 45, on grey.
describe('GET /v1/info', () => {
  it('says the gpu-node runs stand-in models, with the model id and upload limits, without a key', async () => {
    const res = await call(edge.url, 'GET', '/v1/info');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ modelId: gpu.modelId, standin: true, limits: { maxBodyBytes: 2_000_000, maxPixels: 2_000_000, maxPromptPoints: 32 } });
  });
});

describe('POST /v1/masks/preview', () => {
  it('a box around the first red disc gives that disc', async () => {
    const res = await preview(scenes.target.bytes, { box: [46, 36, 88, 88] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['bbox', 'mask', 'orientation', 'score']);
    expect(res.body.orientation).toBe('exif-applied');
    expect(res.body.mask.size).toEqual([300, 400]);
    expect(typeof res.body.mask.counts).toBe('string');
    expect(iou(res.body.mask, scenes.target.masks[0])).toBeGreaterThan(0.9);
    expect(res.body.score).toBeGreaterThan(0.5);
    expect(res.body.score).toBeLessThanOrEqual(1);
    const [x, y, w, h] = res.body.bbox;
    expect(Math.abs(x - 48)).toBeLessThanOrEqual(3);
    expect(Math.abs(y - 38)).toBeLessThanOrEqual(3);
    expect(Math.abs(w - 84)).toBeLessThanOrEqual(4);
    expect(Math.abs(h - 84)).toBeLessThanOrEqual(4);
  });

  it('one click on the blue rectangle gives the rectangle, not a disc', async () => {
    const res = await preview(scenes.target.bytes, { points: [[265, 75, 1]] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(iou(res.body.mask, scenes.target.masks[2])).toBeGreaterThan(0.9);
    expect(iou(res.body.mask, scenes.target.masks[0])).toBe(0);
  });

  it('several clicks (positive and negative) make one prompt', async () => {
    const res = await preview(scenes.target.bytes, { points: [[300, 210, 1], [320, 230, 1], [90, 80, 0]] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(iou(res.body.mask, scenes.target.masks[1])).toBeGreaterThan(0.9);
  });

  it('a previewed box is exactly the mask a box reference of the same box is pooled under', async () => {
    const box = [58, 48, 64, 64];
    const res = await preview(scenes.target.bytes, { box });
    expect(res.status).toBe(200);
    const form = new FormData();
    form.append('image', filePart(scenes.target.bytes));
    form.append('annotations', JSON.stringify([{ class: 'red', box }]));
    const direct = await fetch(`${gpu.url}/v1/reference-vectors`, { method: 'POST', headers: { Authorization: `Bearer ${gpu.secret}` }, body: form });
    const vectors = await direct.json();
    expect(vectors.references[0].mask).toEqual(res.body.mask);
    expect(vectors.references[0].predictedIou).toBe(res.body.score);
  });

  it('coordinates refer to the image as displayed: a rotated JPEG is checked against its oriented size', async () => {
    // Stored 400×300 with EXIF orientation 6: displayed 300×400, the first red disc at (300 − 80, 90).
    const rotated = new Uint8Array(await sharp(scenes.target.bytes).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
    const onDisc = await preview(rotated, { points: [[220, 90, 1]] }, '', 'image/jpeg');
    expect(onDisc.status, JSON.stringify(onDisc.body)).toBe(200);
    expect(onDisc.body.orientation).toBe('exif-applied');
    expect(onDisc.body.mask.size).toEqual([400, 300]);
    expect(onDisc.body.bbox[0]).toBeGreaterThan(170);
    expect(onDisc.body.bbox[1]).toBeLessThan(60);
    // x = 350 lies inside the stored grid but outside the displayed image: the gpu-node refuses it.
    expectProblem(await preview(rotated, { points: [[350, 100, 1]] }, '', 'image/jpeg'), 422, 'invalid-value', 'prompt.points[0]');
    // With exif=ignore the stored grid counts, and y = 350 is outside it.
    const ignored = await preview(rotated, { points: [[100, 350, 1]] }, '?exif=ignore', 'image/jpeg');
    expectProblem(ignored, 422, 'invalid-value', 'prompt.points[0]');
    const stored = await preview(rotated, { points: [[90, 80, 1]] }, '?exif=ignore', 'image/jpeg');
    expect(stored.body.orientation).toBe('exif-ignored');
    expect(stored.body.mask.size).toEqual([300, 400]);
  });

  it('refuses prompts it cannot take, before any gpu-node work where it can', async () => {
    const img = scenes.target.bytes;
    expectProblem(await preview(img, { box: [350, 250, 60, 60] }), 422, 'malformed-box', 'prompt.box');
    expectProblem(await preview(img, { box: [10, 10, 0, 20] }), 422, 'invalid-value', 'prompt.box');
    expectProblem(await preview(img, { points: Array.from({ length: 33 }, () => [5, 5, 1]) }), 422, 'invalid-value', 'prompt.points');
    expectProblem(await preview(img, { points: [[5, 5, 0]] }), 422, 'invalid-value', 'prompt.points');
    expectProblem(await preview(img, { points: [[5, 5, 2]] }), 400, 'invalid-request');
    expectProblem(await preview(img, { points: [] }), 422, 'invalid-value', 'prompt.points');
    expectProblem(await preview(img, { box: [1, 2, 3, 4], points: [[5, 5, 1]] }), 422, 'invalid-value', 'prompt');
    expectProblem(await preview(img, {}), 422, 'invalid-value', 'prompt');
    expectProblem(await preview(img, { box: [1, 2, 3, 4], extra: 1 }), 400, 'invalid-request');
    expectProblem(await preview(img, '{"box":'), 400, 'bad-request', 'prompt');
    expectProblem(await preview(img, { box: [-1, 0, 5, 5] }), 422, 'invalid-value');
    expectProblem(await preview(scenes.bmp, { box: [0, 0, 4, 4] }, '', 'image/bmp'), 415, 'unsupported-media-type');
    expectProblem(await preview(scenes.large, { box: [0, 0, 4, 4] }), 422, 'pixel-limit');

    const noPrompt = new FormData();
    noPrompt.append('image', filePart(img));
    expectProblem(await call(edge.url, 'POST', '/v1/masks/preview', { token: key, form: noPrompt }), 400, 'bad-request', 'prompt');
    const noImage = new FormData();
    noImage.append('prompt', JSON.stringify({ box: [0, 0, 4, 4] }));
    expectProblem(await call(edge.url, 'POST', '/v1/masks/preview', { token: key, form: noImage }), 400, 'bad-request', 'image');
    expectProblem(await call(edge.url, 'POST', '/v1/masks/preview', { token: key, json: { box: [0, 0, 4, 4] } }), 415, 'unsupported-media-type');
    expectProblem(await call(edge.url, 'POST', '/v1/masks/preview', { token: null, form: previewForm(img, { box: [0, 0, 4, 4] }) }), 401, 'unauthorized');
  });

  it('is in the OpenAPI document with its prompt part and problems', async () => {
    const doc = (await call(edge.url, 'GET', '/openapi.json')).body;
    const op = doc.paths['/v1/masks/preview'].post;
    expect(op.operationId).toBe('previewMask');
    expect(Object.keys(op.requestBody.content['multipart/form-data'].schema.properties).sort()).toEqual(['image', 'prompt']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '413', '415', '422', '502', '503']));
    expect(doc.paths['/v1/info'].get.operationId).toBe('info');
  });
});

// The same route on the other runtimes the edge supports (multipart parsing differs between them).
for (const runtime of ['deno', 'workerd'] satisfies RuntimeName[]) {
  describe(`POST /v1/masks/preview on ${runtime}`, () => {
    let other: RunningEdge;
    let otherKey: string;
    beforeAll(async () => {
      other = await startEdge(runtime, edgeEnv({ adminKey: ADMIN_KEY, gpu }));
      otherKey = (await call(other.url, 'POST', '/v1/admin/keys', { token: ADMIN_KEY, json: { tenant: 'acme' } })).body.secret;
    });
    afterAll(async () => {
      await other?.close();
    });

    it('gives the boxed disc, says stand-in, and refuses a box outside the image', async () => {
      const res = await call(other.url, 'POST', '/v1/masks/preview', { token: otherKey, form: previewForm(scenes.target.bytes, { box: [46, 36, 88, 88] }) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(iou(res.body.mask, scenes.target.masks[0])).toBeGreaterThan(0.9);
      expect((await call(other.url, 'GET', '/v1/info')).body.standin).toBe(true);
      const outside = await call(other.url, 'POST', '/v1/masks/preview', { token: otherKey, form: previewForm(scenes.target.bytes, { box: [350, 250, 60, 60] }) });
      expectProblem(outside, 422, 'malformed-box', 'prompt.box');
    });
  });
}
