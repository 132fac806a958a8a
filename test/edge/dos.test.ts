// One tenant cannot take the gpu-nodes from the others (issue 8, DoS 2, 3 and the queue wait of
// 5): the edge against real gpu-node HTTP apps over the fake pipeline, default settings.
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNodeEdge } from '../../edge/adapters/node.ts';
import type { RunningEdge } from '../../edge/adapters/node.ts';
import { MAX_REFERENCE_IMAGES } from '../../edge/references/limits.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import { serveGpuNode } from '../../gpu-node/http/server.ts';
import type { RunningNode } from '../../gpu-node/http/server.ts';
import { fakePipeline } from '../../gpu-node/http/test-pipeline.ts';
import type { FakePipeline } from '../../gpu-node/http/test-pipeline.ts';
import { EmptyReferenceError } from '../../shared/errors.ts';

const SECRET = 'fake-gpu-secret';
const ADMIN = 'admin-0123456789abcdef0123456789abcdef';
let png: Uint8Array;
const closers: (() => Promise<void>)[] = [];
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  png = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 120, b: 150 } } }).png().toBuffer());
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A node whose reference-vectors calls take `ms` each; `failFirst`: the first call fails at once and the others never end. */
async function node(ms = 0, failFirst = false): Promise<{ node: RunningNode; pipeline: FakePipeline; started: () => number }> {
  const pipeline = fakePipeline();
  const inner = pipeline.referenceVectors.bind(pipeline);
  let started = 0;
  // Held calls end when the test does, so that the node closes at once.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  pipeline.referenceVectors = async (bytes, annotations, request) => {
    started++;
    if (failFirst && started === 1) throw new EmptyReferenceError(undefined, { field: 'annotations[0]' });
    if (failFirst) await held;
    await tick(ms);
    return inner(bytes, annotations, request);
  };
  const n = await serveGpuNode({ pipeline, secret: SECRET, port: 0, log: () => {} });
  closers.push(async () => {
    release();
    await n.close();
  });
  return { node: n, pipeline, started: () => started };
}

async function edgeFor(url: string): Promise<{ edge: RunningEdge; key: string }> {
  const edge = await startNodeEdge({ env: { REFSEG_GPU_NODES: url, REFSEG_GPU_SECRET: SECRET, REFSEG_ADMIN_KEY: ADMIN, REFSEG_LOG: 'off' }, port: 0, storage: createMemoryStorage() });
  closers.push(() => edge.close());
  const res = await fetch(`${edge.url}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 't1' }) });
  return { edge, key: (await res.json()).secret };
}

async function bank(edge: RunningEdge, key: string): Promise<string> {
  const res = await fetch(`${edge.url}/v1/banks`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'b', classes: ['a'] }) });
  expect(res.status).toBe(201);
  return (await res.json()).id;
}

function addReferences(edge: RunningEdge, key: string, bankId: string, images: number, signal?: AbortSignal): Promise<Response> {
  const form = new FormData();
  for (let i = 0; i < images; i++) {
    form.append('image', new File([png as BlobPart], `r${i}.png`, { type: 'image/png' }));
    form.append('annotations', JSON.stringify([{ className: 'a', box: [1, 1, 8, 8] }]));
  }
  return fetch(`${edge.url}/v1/banks/${bankId}/references`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form, ...(signal ? { signal } : {}) });
}

describe('reference additions under load', () => {
  it('50 concurrent additions on the default settings all land (they wait at the edge for room)', async () => {
    const n = await node(15);
    const { edge, key } = await edgeFor(n.node.url);
    const id = await bank(edge, key);
    const answers = await Promise.all(Array.from({ length: 50 }, () => addReferences(edge, key, id, 1)));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(201));
    const view = await (await fetch(`${edge.url}/v1/banks/${id}`, { headers: { Authorization: `Bearer ${key}` } })).json();
    expect(view.referenceCount).toBe(50);
    // The node's queue (1 running + 8 waiting) was never overrun.
    expect(n.node.admission.running + n.node.admission.waiting).toBe(0);
  });

  it(`refuses more than ${MAX_REFERENCE_IMAGES} image parts with 413 before any gpu-node call`, async () => {
    const n = await node();
    const { edge, key } = await edgeFor(n.node.url);
    const id = await bank(edge, key);
    const res = await addReferences(edge, key, id, MAX_REFERENCE_IMAGES + 1);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: 'https://refseg.dev/problems/too-many-images', limit: MAX_REFERENCE_IMAGES });
    expect(n.started()).toBe(0);
  });
});

describe('a request that fails or is abandoned leaves no work behind', () => {
  it('the first failing image cancels the calls in flight and starts none of the rest', async () => {
    const n = await node(0, true);
    const { edge, key } = await edgeFor(n.node.url);
    const id = await bank(edge, key);
    const res = await addReferences(edge, key, id, MAX_REFERENCE_IMAGES);
    expect(res.status).toBe(422);
    await tick(100);
    // Nothing is in flight at the edge, nothing waits at the node; of the 16 images at most the
    // 4 of the first round ever reached the node (the node runs 1 at a time, so 1 or 2 started).
    expect(edge.services.gpu.load()).toMatchObject({ inFlight: 0, waiting: 0 });
    expect(n.node.admission.waiting).toBe(0);
    expect(n.started()).toBeLessThanOrEqual(2);
  });

  it('a client that goes away cancels the calls in flight and queued ones never start', async () => {
    const n = await node();
    const { edge, key } = await edgeFor(n.node.url);
    const id = await bank(edge, key);
    let open!: () => void;
    n.pipeline.gate = new Promise<void>((r) => (open = r));
    closers.push(async () => open());
    const client = new AbortController();
    const res = addReferences(edge, key, id, MAX_REFERENCE_IMAGES, client.signal).catch((e: unknown) => e);
    await tick(150);
    expect(n.started()).toBe(1);
    expect(edge.services.gpu.load().inFlight).toBe(4);
    client.abort();
    await res;
    await tick(150);
    expect(edge.services.gpu.load()).toMatchObject({ inFlight: 0, waiting: 0 });
    // The node saw the disconnects: nothing runs or waits there but the one held call.
    expect(n.node.admission.waiting).toBe(0);
    expect(n.started()).toBe(1);
  });
});
