// Abandoned work on the node: a queued request whose client disconnected, or whose deadline
// (X-Refseg-Timeout-Ms) passed while it waited, is never started; polygon budgets answer 413/422.
import { describe, expect, it } from 'vitest';
import { TIMEOUT_HEADER } from '../../shared/api/gpu-node.ts';
import { POLYGON_LIMITS } from '../../shared/api/annotation-limits.ts';
import { createGpuNodeApp } from './app.ts';
import { fakePipeline } from './test-pipeline.ts';

const SECRET = 's3cret-token';
const AUTH = { Authorization: `Bearer ${SECRET}` };
const IMAGE = new TextEncoder().encode('image bytes');
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const pipeline = fakePipeline();
  const node = createGpuNodeApp({ pipeline, secret: SECRET, log: () => {}, limits: { maxConcurrent: 1, maxQueued: 4 } });
  return { pipeline, ...node };
}

describe('abandoned requests', () => {
  it('never starts a queued request whose client has gone', async () => {
    const { app, pipeline, admission, metrics } = setup();
    let open!: () => void;
    pipeline.gate = new Promise<void>((r) => (open = r));
    const first = app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    await tick();
    const client = new AbortController();
    const gone = Promise.resolve(app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE, signal: client.signal })).catch((e: unknown) => e);
    const kept = app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    await tick();
    expect(admission.waiting).toBe(2);
    client.abort();
    await tick();
    expect(admission.waiting).toBe(1);
    open();
    expect((await first).status).toBe(200);
    expect((await kept).status).toBe(200);
    await gone;
    // Two started; the abandoned one never reached the pipeline.
    expect(pipeline.calls).toEqual(['candidates', 'candidates']);
    expect(admission.cancelled).toBe(1);
    expect(metrics.registry.render()).toMatch(/refseg_gpu_cancelled_total\{queue="requests"\} 1/);
  });

  it('never starts a queued request whose deadline passed while it waited, and answers 503', async () => {
    const { app, pipeline } = setup();
    let open!: () => void;
    pipeline.gate = new Promise<void>((r) => (open = r));
    const first = app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    await tick();
    const late = await app.request('/v1/candidates', { method: 'POST', headers: { ...AUTH, [TIMEOUT_HEADER]: '30' }, body: IMAGE });
    expect(late.status).toBe(503);
    expect(late.headers.get('Retry-After')).toBe('1');
    expect((await late.json()).detail).toMatch(/deadline has passed/);
    open();
    expect((await first).status).toBe(200);
    expect(pipeline.calls).toEqual(['candidates']);
  });

  it('runs a request whose deadline is still ahead', async () => {
    const { app, pipeline } = setup();
    const res = await app.request('/v1/candidates', { method: 'POST', headers: { ...AUTH, [TIMEOUT_HEADER]: '60000' }, body: IMAGE });
    expect(res.status).toBe(200);
    expect(pipeline.calls).toEqual(['candidates']);
  });
});

describe('polygon budgets', () => {
  function references(annotations: unknown) {
    const form = new FormData();
    form.append('image', new Blob([IMAGE], { type: 'image/png' }), 'x.png');
    form.append('annotations', JSON.stringify(annotations));
    return form;
  }
  const square = (x: number) => [x, 0, x + 1, 0, x + 1, 1, x, 1];

  it('answers 422 for too many polygons or vertices in one annotation and 413 for too many in the request', async () => {
    const { app, pipeline } = setup();
    const manyPolygons = Array.from({ length: POLYGON_LIMITS.polygonsPerAnnotation + 1 }, (_, i) => square(i));
    let res = await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: references([{ class: 'a', polygons: manyPolygons }]) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ type: 'https://refseg.dev/problems/malformed-polygon', field: 'annotations[0].polygons', limit: 100 });

    const long = Array.from({ length: POLYGON_LIMITS.verticesPerAnnotation + 1 }, (_, i) => [i % 7, i % 5]).flat();
    res = await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: references([{ class: 'a', polygons: [long] }]) });
    expect(res.status).toBe(422);

    const half = Array.from({ length: POLYGON_LIMITS.verticesPerAnnotation }, (_, i) => [i % 7, i % 5]).flat();
    const three = [0, 1, 2].map(() => ({ class: 'a', polygons: [half] }));
    res = await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: references(three) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'https://refseg.dev/problems/too-many-vertices', vertices: 30_000, limit: 20_000 });
    expect(pipeline.calls).toEqual([]);
  });
});

describe('JSON parts', () => {
  it('refuses a JSON part above the limit with 413 before parsing it', async () => {
    const { MAX_JSON_PART_BYTES } = await import('./request-body.ts');
    const { app, pipeline } = setup();
    const form = new FormData();
    form.append('image', new Blob([IMAGE], { type: 'image/png' }), 'x.png');
    form.append('annotations', `[${' '.repeat(MAX_JSON_PART_BYTES)}]`);
    const res = await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: form });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ field: 'annotations', limitBytes: MAX_JSON_PART_BYTES });
    expect(pipeline.calls).toEqual([]);
  });
});

describe('worker restarts in /metrics', () => {
  it('exposes the model pool\'s restart, start and cancel counters', async () => {
    const { pipeline, metrics } = setup();
    pipeline.models.load = () => ({ busy: 0, queued: 0, started: 7, cancelled: 3, restarts: 2 });
    const text = metrics.registry.render();
    expect(text).toMatch(/# TYPE refseg_gpu_worker_restarts_total counter\nrefseg_gpu_worker_restarts_total 2\n/);
    expect(text).toMatch(/refseg_gpu_model_jobs_started_total 7\n/);
    expect(text).toMatch(/refseg_gpu_cancelled_total\{queue="models"\} 3\n/);
  });
});
