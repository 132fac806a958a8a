import { describe, expect, it } from 'vitest';
import {
  GpuNodeInfoSchema,
  GpuSegmentResponseSchema,
  ORIENTATION_HEADER,
  ReferenceVectorsResponseSchema,
} from '../../shared/api/gpu-node.ts';
import { base64ToBytes, bytesToBase64, readFloat32LE, toLittleEndianBytes } from '../../shared/encoding/index.ts';
import { EmptyReferenceError, PROBLEM_CONTENT_TYPE } from '../../shared/errors.ts';
import { CANDIDATE_SET_MEDIA_TYPE, candidateSetFromJson, decodeCandidateSet } from '../../shared/wire/index.ts';
import { ModelsBusyError } from '../models/index.ts';
import { createGpuNodeApp } from './app.ts';
import type { GpuNodeAppOptions } from './app.ts';
import { FAKE_DIM, fakeCandidateSet, fakePipeline } from './test-pipeline.ts';

const SECRET = 's3cret-token';
const AUTH = { Authorization: `Bearer ${SECRET}` };
const IMAGE = new TextEncoder().encode('not really a jpeg, the fake pipeline only hashes it');

function setup(options: Partial<GpuNodeAppOptions> = {}) {
  const pipeline = fakePipeline();
  const logs: string[] = [];
  const node = createGpuNodeApp({ pipeline, secret: SECRET, log: (l) => logs.push(l), ...options });
  return { pipeline, logs, ...node };
}

/** A body that records whether anyone read from it. */
function watchedBody(bytes: Uint8Array): { body: ReadableStream<Uint8Array>; read: () => boolean } {
  let pulled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled = true;
        controller.enqueue(bytes);
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, read: () => pulled };
}

function form(parts: Record<string, string | Uint8Array>): FormData {
  const f = new FormData();
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value === 'string') f.append(name, value);
    else f.append(name, new Blob([value as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }), 'x.jpg');
  }
  return f;
}

async function problem(res: Response) {
  expect(res.headers.get('Content-Type')).toBe(PROBLEM_CONTENT_TYPE);
  return (await res.json()) as { type: string; status: number; detail: string; requestId: string; field?: string; title: string };
}

describe('probes', () => {
  it('/healthz answers at once; /readyz and model routes answer 503 + Retry-After until the models are loaded', async () => {
    let resolve!: (p: ReturnType<typeof fakePipeline>) => void;
    const loading = new Promise<ReturnType<typeof fakePipeline>>((r) => (resolve = r));
    const { app } = setup({ pipeline: loading });
    expect((await app.request('/healthz')).status).toBe(200);
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('Retry-After')).toBe('5');
    expect((await problem(notReady)).detail).toMatch(/loading/);
    expect((await app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE })).status).toBe(503);
    resolve(fakePipeline());
    await loading;
    const ready = await app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', modelId: 'fake-model' });
  });

  it('/v1/info describes the node and its limits', async () => {
    const { app, pipeline } = setup({ limits: { maxQueued: 3 } });
    const res = await app.request('/v1/info', { headers: AUTH });
    const info = GpuNodeInfoSchema.parse(await res.json());
    expect(info.dim).toBe(FAKE_DIM);
    expect(info.pipelineIds.official).toBe(pipeline.pipelineId('official'));
    expect(info.pipelineIds['sam2-amg']).toMatch(/^sam2-amg\/v1;grid=32;iou>0\.8;stab>=0\.95@1;nms=0\.7;nme=removed;clip=removed$/);
    expect(info.presets).toEqual(['official', 'sam2-amg', 'device-16', 'device-8']);
    expect(info.pipelineIds['device-16']).toBe('official/v1;grid=16;iou>0.4;nme=removed;clip=removed');
    expect(info.pipelineIds['device-8']).toBe('official/v1;grid=8;iou>0.4;nme=removed;clip=removed');
    // A node of an older release, without the device presets, is still understood; a preset
    // offered without its pipeline id is not.
    const older = { ...info, presets: ['official', 'sam2-amg'], pipelineIds: { official: info.pipelineIds.official, 'sam2-amg': info.pipelineIds['sam2-amg'] } };
    expect(GpuNodeInfoSchema.safeParse(older).success).toBe(true);
    const missing = GpuNodeInfoSchema.safeParse({ ...older, presets: ['official', 'device-8'] });
    expect(missing.success ? [] : missing.error.issues.map((i) => i.path.join('.'))).toEqual(['pipelineIds']);
    expect(info.limits.maxQueued).toBe(3);
    expect(info.layout).toBe('samexporter');
    expect(info.maskClip).toBe('removed');
    expect(info.sam2Variant).toBe('fp16');
  });

  it('unknown routes are problem+json 404s', async () => {
    const { app } = setup();
    const res = await app.request('/v2/nothing', { headers: AUTH });
    expect(res.status).toBe(404);
    expect((await problem(res)).type).toBe('https://refseg.dev/problems/not-found');
  });
});

describe('authentication', () => {
  it('refuses a missing or wrong token with 401 before reading the body', async () => {
    const { app, pipeline } = setup();
    for (const headers of [{}, { Authorization: 'Bearer nope' }, { Authorization: `Basic ${SECRET}` }]) {
      const watched = watchedBody(IMAGE);
      const res = await app.request('/v1/candidates', { method: 'POST', headers, body: watched.body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
      expect((await problem(res)).type).toBe('https://refseg.dev/problems/unauthorized');
      expect(watched.read()).toBe(false);
    }
    expect(pipeline.calls).toEqual([]);
    expect((await app.request('/metrics')).status).toBe(401);
  });
});

describe('request ids and logs', () => {
  it('echoes a given X-Request-Id, replaces an unusable one, and logs one line per request', async () => {
    const { app, logs } = setup();
    const given = await app.request('/v1/info', { headers: { ...AUTH, 'X-Request-Id': 'edge-42.a:b' } });
    expect(given.headers.get('X-Request-Id')).toBe('edge-42.a:b');
    const bad = await app.request('/v1/info', { headers: { ...AUTH, 'X-Request-Id': 'no spaces allowed' } });
    expect(bad.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/);
    const denied = await app.request('/v1/info', { headers: { 'X-Request-Id': 'r-401' } });
    expect(denied.headers.get('X-Request-Id')).toBe('r-401');
    expect((await problem(denied)).requestId).toBe('r-401');
    const lines = logs.map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.requestId, l.status])).toEqual([
      ['edge-42.a:b', 200],
      [bad.headers.get('X-Request-Id'), 200],
      ['r-401', 401],
    ]);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/v1/info' });
  });

  it('hides internal error details from the client and logs them', async () => {
    const { app, pipeline, logs } = setup();
    pipeline.failWith = new Error('secret path /srv/models/x.onnx');
    const res = await app.request('/v1/candidates', { method: 'POST', headers: { ...AUTH, 'X-Request-Id': 'boom' }, body: IMAGE });
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.detail).not.toMatch(/srv/);
    expect(body.requestId).toBe('boom');
    expect(logs.some((l) => l.includes('secret path /srv/models/x.onnx') && l.includes('"requestId":"boom"'))).toBe(true);
  });
});

describe('POST /v1/candidates', () => {
  it('returns the binary candidate set by default, the JSON form on request, with the orientation header', async () => {
    const { app, pipeline } = setup();
    const res = await app.request('/v1/candidates?preset=sam2-amg&exif=ignore', { method: 'POST', headers: { ...AUTH, 'Content-Type': 'image/jpeg' }, body: IMAGE });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(CANDIDATE_SET_MEDIA_TYPE);
    expect(res.headers.get(ORIENTATION_HEADER)).toBe('ignored');
    const set = decodeCandidateSet(new Uint8Array(await res.arrayBuffer()));
    expect(set).toEqual(await fakeCandidateSet(IMAGE, pipeline.pipelineId('sam2-amg')));

    const json = await app.request('/v1/candidates?format=json', { method: 'POST', headers: AUTH, body: form({ image: IMAGE }) });
    expect(json.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(json.headers.get(ORIENTATION_HEADER)).toBe('applied');
    expect(candidateSetFromJson(await json.json())).toEqual(await fakeCandidateSet(IMAGE, pipeline.pipelineId('official')));
  });

  it('says what is wrong with the query, the media type or a missing image', async () => {
    const { app, pipeline } = setup();
    const badPreset = await problem(await app.request('/v1/candidates?preset=fast', { method: 'POST', headers: AUTH, body: IMAGE }));
    expect(badPreset.status).toBe(422);
    expect(badPreset.field).toBe('query.preset');
    const unknownParam = await problem(await app.request('/v1/candidates?colour=red', { method: 'POST', headers: AUTH, body: IMAGE }));
    expect(unknownParam.status).toBe(400);
    const json = await app.request('/v1/candidates', { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    const empty = await problem(await app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: form({ other: 'x' }) }));
    expect(empty.status).toBe(400);
    expect(empty.field).toBe('image');
    expect(pipeline.calls).toEqual([]);
  });

  it('refuses a body above the limit with 413 from Content-Length, without reading it', async () => {
    const { app, pipeline } = setup({ limits: { maxBodyBytes: 10 } });
    const watched = watchedBody(IMAGE);
    const res = await app.request('/v1/candidates', {
      method: 'POST',
      headers: { ...AUTH, 'Content-Length': String(IMAGE.length) },
      body: watched.body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await problem(res)).type).toBe('https://refseg.dev/problems/payload-too-large');
    expect(watched.read()).toBe(false);
    expect(pipeline.calls).toEqual([]);
  });

  it('answers 503 + Retry-After when every slot is taken and the queue is full, and serves queued requests in turn', async () => {
    const { app, pipeline, admission } = setup({ limits: { maxConcurrent: 1, maxQueued: 1 } });
    let open!: () => void;
    pipeline.gate = new Promise<void>((r) => (open = r));
    const first = app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    await new Promise((r) => setTimeout(r, 20));
    const second = app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    await new Promise((r) => setTimeout(r, 20));
    expect([admission.running, admission.waiting]).toEqual([1, 1]);
    const third = await app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    expect(third.status).toBe(503);
    expect(Number(third.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    open();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect([admission.running, admission.waiting]).toEqual([0, 0]);
  });

  it('passes the model pool\'s own busy error on as 503 + Retry-After', async () => {
    const { app, pipeline } = setup();
    pipeline.failWith = new ModelsBusyError(8, 2.2);
    const res = await app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('3');
  });
});

describe('POST /v1/reference-vectors', () => {
  it('returns one base64 float32 vector per annotation with its mask and mask source', async () => {
    const { app } = setup();
    const annotations = [
      { class: 'cup', polygons: [[1, 1, 5, 1, 5, 4]] },
      { class: 'plate', box: [1, 1, 4, 3] },
    ];
    const res = await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: form({ image: IMAGE, annotations: JSON.stringify(annotations) }) });
    expect(res.status).toBe(200);
    const body = ReferenceVectorsResponseSchema.parse(await res.json());
    expect(body.references.map((r) => [r.class, r.maskSource])).toEqual([
      ['cup', 'given'],
      ['plate', 'sam2-box'],
    ]);
    expect(Array.from(readFloat32LE(base64ToBytes(body.references[1].vector), 0, FAKE_DIM))).toEqual([1, 1, 2, 3]);
    expect(body.references[1].predictedIou).toBe(0.5);
    expect(body.dim).toBe(FAKE_DIM);
  });

  it('names the offending annotation field, and wants multipart', async () => {
    const { app } = setup();
    const bad = await problem(
      await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: form({ image: IMAGE, annotations: JSON.stringify([{ class: 'cup', box: [1, 2, 3] }]) }) }),
    );
    expect(bad.status).toBe(422);
    expect(bad.field).toBe('annotations[0].box');
    const both = await problem(
      await app.request('/v1/reference-vectors', {
        method: 'POST',
        headers: AUTH,
        body: form({ image: IMAGE, annotations: JSON.stringify([{ class: 'cup', box: [1, 2, 3, 4], polygons: [[1, 1, 5, 1, 5, 4]] }]) }),
      }),
    );
    expect(both.detail).toMatch(/exactly one of mask, polygons or box/);
    const notJson = await problem(await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: form({ image: IMAGE, annotations: '[{' }) }));
    expect([notJson.status, notJson.field]).toEqual([400, 'annotations']);
    const raw = await app.request('/v1/reference-vectors', { method: 'POST', headers: { ...AUTH, 'Content-Type': 'image/jpeg' }, body: IMAGE });
    expect(raw.status).toBe(415);
  });
});

describe('POST /v1/segment', () => {
  const prototypes = (rows: number[][]) => bytesToBase64(toLittleEndianBytes(Float32Array.from(rows.flat())));

  it('matches the candidate set against the prototypes and names the classes', async () => {
    const { app } = setup();
    const request = { classes: ['x-axis', 'y-axis'], prototypes: prototypes([[2, 0, 0, 0], [0, 3, 0, 0]]), options: { officialBoxCompat: true } };
    const res = await app.request('/v1/segment', { method: 'POST', headers: AUTH, body: form({ image: IMAGE, request: JSON.stringify(request) }) });
    expect(res.status).toBe(200);
    const body = GpuSegmentResponseSchema.parse(await res.json());
    expect(body.detections.map((d) => [d.class, d.label, d.score, d.bbox])).toEqual([
      ['x-axis', 0, 1, [1, 1, 1, 1]],
      ['y-axis', 1, 1, [4, 2, 2, 2]],
    ]);
    expect(body.classes).toEqual(['x-axis', 'y-axis']);
  });

  it('refuses prototypes of the wrong size with a 422 that states the node\'s dimension', async () => {
    const { app, pipeline } = setup();
    const request = { classes: ['a'], prototypes: prototypes([[1, 0, 0]]) };
    const res = await problem(await app.request('/v1/segment', { method: 'POST', headers: AUTH, body: form({ image: IMAGE, request: JSON.stringify(request) }) }));
    expect(res.status).toBe(422);
    expect(res.detail).toMatch(/D = 4/);
    expect(res.field).toBe('request.prototypes');
    expect(pipeline.calls).toEqual([]);
  });
});

describe('GET /metrics', () => {
  it('counts requests by route and status, times them, shows queue depth and model run time', async () => {
    const { app } = setup();
    await app.request('/v1/candidates', { method: 'POST', headers: AUTH, body: IMAGE });
    await app.request('/v1/candidates', { method: 'POST', headers: {}, body: IMAGE });
    await app.request('/nowhere');
    const res = await app.request('/metrics', { headers: AUTH });
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('refseg_gpu_http_requests_total{route="/v1/candidates",method="POST",status="200"} 1');
    expect(text).toContain('refseg_gpu_http_requests_total{route="/v1/candidates",method="POST",status="401"} 1');
    expect(text).toContain('refseg_gpu_http_requests_total{route="other",method="GET",status="404"} 1');
    expect(text).toContain('refseg_gpu_http_request_duration_seconds_count{route="/v1/candidates"} 2');
    expect(text).toContain('refseg_gpu_model_run_seconds_bucket{model="sam2-encoder",le="0.1"} 0');
    expect(text).toContain('refseg_gpu_model_run_seconds_bucket{model="sam2-encoder",le="0.25"} 1');
    expect(text).toContain('refseg_gpu_model_run_seconds_sum{model="sam2-encoder"} 0.12');
    expect(text).toContain('refseg_gpu_cpu_stage_seconds_count{stage="decode"} 1');
    expect(text).toContain('refseg_gpu_queue_depth{queue="requests",state="running"} 0');
    expect(text).toMatch(/refseg_gpu_queue_depth\{queue="models",state="busy"\} [01]/);
  });
});

describe('errors from the pipeline', () => {
  it('renders typed 4xx errors with their own type, status and field', async () => {
    const { app, pipeline } = setup();
    pipeline.failWith = new EmptyReferenceError(undefined, { field: 'annotations[0]' });
    const res = await problem(
      await app.request('/v1/reference-vectors', { method: 'POST', headers: AUTH, body: form({ image: IMAGE, annotations: JSON.stringify([{ class: 'a', box: [0, 0, 2, 2] }]) }) }),
    );
    expect([res.status, res.type, res.field]).toEqual([422, 'https://refseg.dev/problems/empty-reference', 'annotations[0]']);
    expect(res.detail).toMatch(/covers no patch sample point/);
  });
});
