// POST /v1/banks/{bankId}/segment-candidates: a candidate set made elsewhere (on the device) is
// validated, matched against the bank with no gpu-node work, and cached in the tenant's own scope.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeEdge } from '../../edge/adapters/node.ts';
import type { RunningEdge } from '../../edge/adapters/node.ts';
import { serveGpuNode } from '../../gpu-node/http/server.ts';
import type { RunningNode } from '../../gpu-node/http/server.ts';
import { fakeCandidateSet, fakePipeline } from '../../gpu-node/http/test-pipeline.ts';
import type { FakePipeline } from '../../gpu-node/http/test-pipeline.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import type { CandidateSet } from '../../shared/types.ts';
import { CANDIDATE_SET_MEDIA_TYPE, encodeCandidateSet } from '../../shared/wire/index.ts';
import { createRefsegClient } from '../../shared/client/index.ts';
import { call } from './harness/client.ts';

const SECRET = 'fake-gpu-secret';
const ADMIN = 'admin-0123456789abcdef0123456789abcdef';

let pipeline: FakePipeline;
let node: RunningNode;
let edge: RunningEdge;
let key: string;
let bankId: string;
let png: Uint8Array;

async function flatPng(value: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.alloc(8 * 6 * 3, value), { raw: { width: 8, height: 6, channels: 3 } }).png().toBuffer());
}

beforeAll(async () => {
  pipeline = fakePipeline();
  node = await serveGpuNode({ pipeline, secret: SECRET, port: 0, log: () => {} });
  edge = await startNodeEdge({
    env: { REFSEG_GPU_NODES: node.url, REFSEG_GPU_SECRET: SECRET, REFSEG_ADMIN_KEY: ADMIN, REFSEG_LOG: 'off', REFSEG_MAX_BODY_BYTES: '4096', REFSEG_MAX_PIXELS: '1000000' },
    port: 0,
    storage: createMemoryStorage(),
  });
  key = (await call(edge.url, 'POST', '/v1/admin/keys', { token: ADMIN, json: { tenant: 't1' } })).body.secret;
  bankId = (await call(edge.url, 'POST', '/v1/banks', { token: key, json: { name: 'b', classes: ['a'] } })).body.id;
  png = await flatPng(100);
  const form = new FormData();
  form.append('image', new File([png as BlobPart], 'r.png', { type: 'image/png' }));
  form.append('annotations', JSON.stringify([{ className: 'a', box: [0, 0, 4, 4] }]));
  expect((await call(edge.url, 'POST', `/v1/banks/${bankId}/references`, { token: key, form })).status).toBe(201);
});

afterAll(async () => {
  await edge?.close();
  await node?.close();
});

/** A set as the device makes it: the fake pipeline's own, for an image the edge never saw. */
async function deviceSet(value: number, change: (s: CandidateSet) => CandidateSet = (s) => s): Promise<CandidateSet> {
  return change(await fakeCandidateSet(await flatPng(value), pipeline.pipelineId('official')));
}

function send(body: Uint8Array, query = '', type = CANDIDATE_SET_MEDIA_TYPE) {
  return call(edge.url, 'POST', `/v1/banks/${bankId}/segment-candidates${query}`, { token: key, body: body as BodyInit, headers: { 'Content-Type': type } });
}

describe('segment-candidates', () => {
  it('matches a device-made set with no gpu-node call, as /segment matches the node-made one; the set is then cached', async () => {
    const set = await deviceSet(7);
    const callsBefore = pipeline.calls.length;
    const res = await send(encodeCandidateSet(set));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imageId: set.imageSha256, modelId: 'fake-model', pipelineId: set.pipelineId, cache: 'miss', orientation: 'applied', bankId });
    expect(res.body.detections.map((d: { class: string; index: number }) => [d.class, d.index])).toEqual([['a', 1]]);
    const again = await send(encodeCandidateSet(set, { dtype: 'float16' }));
    expect(again.body.cache).toBe('hit');
    expect(again.body.detections).toEqual(res.body.detections);
    // The same image sent to /segment: the cached device set answers, no gpu-node work.
    const viaImage = await call(edge.url, 'POST', `/v1/banks/${bankId}/segment`, { token: key, body: (await flatPng(7)) as BodyInit, headers: { 'Content-Type': 'image/png' } });
    expect(viaImage.status).toBe(200);
    expect(viaImage.body.cache).toBe('hit');
    expect(viaImage.body.detections).toEqual(res.body.detections);
    expect(pipeline.calls.length).toBe(callsBefore);
  });

  it('is what the typed client sends: same detections, options in the query', async () => {
    const set = await deviceSet(9);
    const client = createRefsegClient({ baseUrl: edge.url, apiKey: key });
    const viaClient = await client.segmentCandidates(bankId, encodeCandidateSet(set), { maxDetections: 1 });
    const direct = await send(encodeCandidateSet(set), `?options=${encodeURIComponent(JSON.stringify({ maxDetections: 1 }))}`);
    expect(direct.status).toBe(200);
    expect(viaClient.detections).toEqual(direct.body.detections);
    expect(viaClient.detections.length).toBe(1);
  });

  it('refuses a set of another model (409), of an unknown pipeline (409), or contradicting options.preset (422)', async () => {
    const other = await send(encodeCandidateSet(await deviceSet(8, (s) => ({ ...s, modelId: 'other-model' }))));
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ type: 'https://refseg.dev/problems/model-mismatch', field: 'body.modelId' });
    const pipe = await send(encodeCandidateSet(await deviceSet(8, (s) => ({ ...s, pipelineId: 'official/v1;grid=4' }))));
    expect(pipe.status).toBe(409);
    expect(pipe.body).toMatchObject({ type: 'https://refseg.dev/problems/pipeline-mismatch', field: 'body.pipelineId' });
    const preset = await send(encodeCandidateSet(await deviceSet(8)), `?options=${encodeURIComponent(JSON.stringify({ preset: 'sam2-amg' }))}`);
    expect(preset.status).toBe(422);
    expect(preset.body.field).toBe('options.preset');
  });

  it('takes the on-device presets: a device-16 set is matched, /segment asks the gpu-node for device-8, an unknown preset is refused', async () => {
    const options = (o: object) => `?options=${encodeURIComponent(JSON.stringify(o))}`;
    const set = await fakeCandidateSet(await flatPng(11), pipeline.pipelineId('device-16'));
    expect(set.pipelineId).toBe('official/v1;grid=16;iou>0.4;nme=removed;clip=removed');
    const res = await send(encodeCandidateSet(set), options({ preset: 'device-16' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pipelineId: set.pipelineId, cache: 'miss' });
    // The same set said to be of the paper's grid contradicts its pipeline id.
    expect((await send(encodeCandidateSet(set), options({ preset: 'official' }))).status).toBe(422);
    const callsBefore = pipeline.calls.length;
    const viaImage = await call(edge.url, 'POST', `/v1/banks/${bankId}/segment${options({ preset: 'device-8' })}`, {
      token: key,
      body: (await flatPng(12)) as BodyInit,
      headers: { 'Content-Type': 'image/png' },
    });
    expect(viaImage.status).toBe(200);
    expect(viaImage.body).toMatchObject({ pipelineId: 'official/v1;grid=8;iou>0.4;nme=removed;clip=removed', cache: 'miss' });
    expect(pipeline.calls.length).toBe(callsBefore + 1);
    const unknown = await send(encodeCandidateSet(set), options({ preset: 'device-4' }));
    expect([400, 422]).toContain(unknown.status);
    expect(unknown.body.field).toMatch(/preset/);
  });

  it('refuses malformed bytes (422), a wrong media type (415), an oversized body (413), a wrong dim (422), too many pixels (422)', async () => {
    const bytes = encodeCandidateSet(await deviceSet(9));
    const cut = await send(bytes.slice(0, bytes.length - 3));
    expect(cut.status).toBe(422);
    expect(cut.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    expect(cut.body).toMatchObject({ type: 'https://refseg.dev/problems/malformed-candidate-set', field: 'body' });
    const magic = bytes.slice();
    magic[0] = 0;
    expect((await send(magic)).status).toBe(422);
    expect((await send(bytes, '', 'application/octet-stream')).status).toBe(415);
    expect((await send(new Uint8Array(5000))).status).toBe(413);
    const dim = await send(encodeCandidateSet(await deviceSet(9, (s) => ({ ...s, dim: 3, candidates: s.candidates.map((c) => ({ ...c, embedding: c.embedding.slice(0, 3) })) }))));
    expect(dim.status).toBe(422);
    expect(dim.body.field).toBe('body.dim');
    const huge = await send(encodeCandidateSet({ ...(await deviceSet(9)), width: 2000, height: 1000, candidates: [] }));
    expect(huge.status).toBe(422);
  });

  it('is documented in the OpenAPI document with its binary body', async () => {
    const doc = (await call(edge.url, 'GET', '/openapi.json')).body;
    const op = doc.paths['/v1/banks/{bankId}/segment-candidates'].post;
    expect(op.operationId).toBe('segmentCandidates');
    expect(Object.keys(op.requestBody.content)).toEqual([CANDIDATE_SET_MEDIA_TYPE]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '409', '413', '415', '422']));
  });
});
