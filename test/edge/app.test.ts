// The app on Node against gpu-nodes whose behaviour the test controls (the gpu-node's own HTTP
// app over its fake pipeline): failover, timeouts, 503s, request ids across tiers, CORS, metrics.
// What the API does on every runtime is test/edge/api-suite.ts.
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveGpuNode } from '../../gpu-node/http/server.ts';
import type { RunningNode } from '../../gpu-node/http/server.ts';
import { fakePipeline } from '../../gpu-node/http/test-pipeline.ts';
import type { FakePipeline } from '../../gpu-node/http/test-pipeline.ts';
import { startNodeEdge } from '../../edge/adapters/node.ts';
import type { RunningEdge } from '../../edge/adapters/node.ts';
import { configFromEnv } from '../../edge/config.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';

const SECRET = 'fake-gpu-secret';
const ADMIN = 'admin-0123456789abcdef0123456789abcdef';

interface FakeNode {
  node: RunningNode;
  pipeline: FakePipeline;
  log: string[];
}

async function fakeNode(): Promise<FakeNode> {
  const pipeline = fakePipeline();
  const log: string[] = [];
  const node = await serveGpuNode({ pipeline, secret: SECRET, port: 0, log: (line) => log.push(line) });
  return { node, pipeline, log };
}

let png: Uint8Array;
const edges: RunningEdge[] = [];
const nodes: FakeNode[] = [];

beforeAll(async () => {
  png = await flatPng(100);
});
afterEach(async () => {
  await Promise.all(edges.splice(0).map((e) => e.close()));
  for (const n of nodes.splice(0)) {
    n.pipeline.gate = undefined;
    await n.node.close();
  }
});

async function edgeFor(urls: string[], env: Record<string, string> = {}): Promise<RunningEdge> {
  const edge = await startNodeEdge({
    env: { REFSEG_GPU_NODES: urls.join(','), REFSEG_GPU_SECRET: SECRET, REFSEG_ADMIN_KEY: ADMIN, REFSEG_LOG: 'off', ...env },
    port: 0,
    storage: createMemoryStorage(),
  });
  edges.push(edge);
  return edge;
}

async function fake(): Promise<FakeNode> {
  const n = await fakeNode();
  nodes.push(n);
  return n;
}

async function tenantKey(edge: RunningEdge): Promise<string> {
  const res = await fetch(`${edge.url}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 't1' }) });
  return (await res.json()).secret;
}

/** A bank with one reference of class `a` (the fake node's vectors point along axis 1). */
async function bankWithReference(edge: RunningEdge, key: string): Promise<string> {
  const auth = { Authorization: `Bearer ${key}` };
  const bank = await (await fetch(`${edge.url}/v1/banks`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'b', classes: ['a'] }) })).json();
  const form = new FormData();
  form.append('image', new File([png as BlobPart], 'r.png', { type: 'image/png' }));
  form.append('annotations', JSON.stringify([{ className: 'a', box: [0, 0, 4, 4] }]));
  const added = await fetch(`${edge.url}/v1/banks/${bank.id}/references`, { method: 'POST', headers: auth, body: form });
  expect(added.status).toBe(201);
  return bank.id;
}

function segment(edge: RunningEdge, key: string, bankId: string, headers: Record<string, string> = {}, image = png): Promise<Response> {
  return fetch(`${edge.url}/v1/banks/${bankId}/segment`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'image/png', ...headers }, body: image as BodyInit });
}

async function flatPng(value: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.alloc(8 * 6 * 3, value), { raw: { width: 8, height: 6, channels: 3 } }).png().toBuffer());
}

describe('gpu pool behind the app', () => {
  it('passes X-Request-Id to the gpu-node, which logs the same id', async () => {
    const a = await fake();
    const edge = await edgeFor([a.node.url]);
    const key = await tenantKey(edge);
    const bank = await bankWithReference(edge, key);
    const res = await segment(edge, key, bank, { 'X-Request-Id': 'trace-me.42' });
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Request-Id')).toBe('trace-me.42');
    const body = await res.json();
    expect(body.cache).toBe('miss');
    expect(body.detections.map((d: { class: string; index: number }) => [d.class, d.index])).toEqual([['a', 1]]);
    const logged = a.log.map((l) => JSON.parse(l)).filter((l) => l.requestId === 'trace-me.42');
    expect(logged.map((l) => [l.path, l.status])).toEqual([['/v1/candidates', 200]]);
  });

  it('abandons a node that holds a call past the timeout and retries on another, within the deadline', async () => {
    const [a, b] = [await fake(), await fake()];
    const edge = await edgeFor([a.node.url, b.node.url], { REFSEG_GPU_TIMEOUT_MS: '400', REFSEG_GPU_STRATEGY: 'round-robin' });
    const key = await tenantKey(edge);
    const bank = await bankWithReference(edge, key);
    a.pipeline.gate = new Promise(() => {});
    b.pipeline.gate = undefined;
    // Whichever node comes first, the answer must come from b, and quickly.
    for (let i = 0; i < 2; i++) {
      const t0 = performance.now();
      // A new image each time: a cached one would need no gpu-node.
      const res = await segment(edge, key, bank, { 'X-Request-Id': `slow-${i}` }, await flatPng(10 + i));
      const ms = performance.now() - t0;
      expect(res.status).toBe(200);
      expect(ms).toBeLessThan(2 * 400 + 600);
      expect(b.log.some((l) => JSON.parse(l).requestId === `slow-${i}`)).toBe(true);
    }
    const ready = await (await fetch(`${edge.url}/readyz`)).json();
    expect(ready.gpuNodes).toEqual({ healthy: 1, total: 2 });
    const status = await (await fetch(`${edge.url}/v1/admin/status`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json();
    expect(status.gpuNodes.map((n: { healthy: boolean }) => n.healthy)).toEqual([false, true]);
    expect(status.gpuNodes[0].lastError).toMatch(/did not answer candidates within 400 ms/);
  });

  it('answers 503 with Retry-After when every node times out, no later than two timeouts', async () => {
    const [a, b] = [await fake(), await fake()];
    const edge = await edgeFor([a.node.url, b.node.url], { REFSEG_GPU_TIMEOUT_MS: '300', REFSEG_GPU_HEALTH_INTERVAL_MS: '4000' });
    const key = await tenantKey(edge);
    const bank = await bankWithReference(edge, key);
    a.pipeline.gate = new Promise(() => {});
    b.pipeline.gate = new Promise(() => {});
    const t0 = performance.now();
    const res = await segment(edge, key, bank);
    expect(performance.now() - t0).toBeLessThan(2 * 300 + 500);
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('4');
    expect(res.headers.get('Content-Type')).toMatch(/^application\/problem\+json/);
    const problem = await res.json();
    expect(problem).toMatchObject({ type: 'https://refseg.dev/problems/unavailable', status: 503, retryAfter: 4 });
    expect(problem.requestId).toBe(res.headers.get('X-Request-Id'));
  });

  it('answers 503 with Retry-After when no node can be reached at all', async () => {
    const a = await fake();
    const url = a.node.url;
    await a.node.close();
    nodes.pop();
    const edge = await edgeFor([url], { REFSEG_GPU_HEALTH_INTERVAL_MS: '2000' });
    const key = await tenantKey(edge);
    const res = await fetch(`${edge.url}/v1/banks`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'b', classes: ['a'] }) });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('2');
    const ready = await fetch(`${edge.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).gpuNodes).toEqual({ healthy: 0, total: 1 });
  });

  it('a gpu-node\'s refusal of the input reaches the client with the node\'s problem type', async () => {
    const a = await fake();
    const edge = await edgeFor([a.node.url]);
    const key = await tenantKey(edge);
    const bank = await bankWithReference(edge, key);
    const { EmptyReferenceError } = await import('../../shared/errors.ts');
    a.pipeline.failWith = new EmptyReferenceError(undefined, { field: 'annotations[0]' });
    const form = new FormData();
    form.append('image', new File([png as BlobPart], 'r.png', { type: 'image/png' }));
    form.append('annotations', JSON.stringify([{ className: 'a', box: [0, 0, 1, 1] }]));
    const res = await fetch(`${edge.url}/v1/banks/${bank}/references`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ type: 'https://refseg.dev/problems/empty-reference', field: 'annotations[0]' });
    const view = await (await fetch(`${edge.url}/v1/banks/${bank}`, { headers: { Authorization: `Bearer ${key}` } })).json();
    expect(view.referenceCount).toBe(1);
  });
});

describe('CORS and metrics', () => {
  let edge: RunningEdge;
  let a: FakeNode;
  beforeAll(async () => {
    a = await fakeNode();
    edge = await startNodeEdge({
      env: { REFSEG_GPU_NODES: a.node.url, REFSEG_GPU_SECRET: SECRET, REFSEG_ADMIN_KEY: ADMIN, REFSEG_LOG: 'off', REFSEG_CORS_ORIGINS: 'https://app.example' },
      port: 0,
      storage: createMemoryStorage(),
    });
  });
  afterAll(async () => {
    await edge.close();
    await a.node.close();
  });

  it('answers preflights for configured origins only', async () => {
    const pre = await fetch(`${edge.url}/v1/banks`, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example');
    expect(pre.headers.get('Access-Control-Allow-Headers')).toMatch(/Authorization/);
    const other = await fetch(`${edge.url}/healthz`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const err = await fetch(`${edge.url}/v1/banks`, { headers: { Origin: 'https://app.example' } });
    expect(err.status).toBe(401);
    expect(err.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example');
    expect(err.headers.get('Access-Control-Expose-Headers')).toMatch(/X-Request-Id/);
  });

  it('serves Prometheus metrics to the admin key only', async () => {
    await fetch(`${edge.url}/healthz`);
    expect((await fetch(`${edge.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${edge.url}/metrics`, { headers: { Authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^refseg_edge_requests_total\{route="\/healthz",method="GET",status="200"\} [1-9]/m);
    expect(text).toMatch(/^refseg_edge_request_duration_seconds_count\{route="\/healthz"\} [1-9]/m);
    expect(text).toContain(`refseg_edge_gpu_node_up{url="${a.node.url}"} 1`);
  });
});

describe('configFromEnv', () => {
  it('names the variable that is missing or wrong', () => {
    expect(() => configFromEnv({ REFSEG_GPU_SECRET: 's' })).toThrow(/REFSEG_GPU_NODES/);
    expect(() => configFromEnv({ REFSEG_GPU_NODES: 'ftp://x', REFSEG_GPU_SECRET: 's' })).toThrow(/REFSEG_GPU_NODES/);
    expect(() => configFromEnv({ REFSEG_GPU_NODES: 'http://a', REFSEG_GPU_SECRET: 's', REFSEG_GPU_TIMEOUT_MS: 'soon' })).toThrow(/REFSEG_GPU_TIMEOUT_MS/);
    expect(() => configFromEnv({ REFSEG_GPU_NODES: 'http://a', REFSEG_GPU_SECRET: 's', REFSEG_ADMIN_KEY: 'short' })).toThrow(/at least 32 characters/);
  });

  it('reads lists and numbers, with defaults for the rest', () => {
    const c = configFromEnv({ REFSEG_GPU_NODES: ' http://a:1/ , http://b:2', REFSEG_GPU_SECRET: 's', REFSEG_MAX_PIXELS: '1000', REFSEG_CORS_ORIGINS: '', OTHER: 'x' });
    expect(c.gpu.urls).toEqual(['http://a:1', 'http://b:2']);
    expect(c.maxPixels).toBe(1000);
    expect(c.maxBodyBytes).toBe(20 * 1024 * 1024);
    expect(c.corsOrigins).toEqual([]);
    expect(c.adminKey).toBeUndefined();
    expect(c.gpu.strategy).toBe('least-busy');
  });
});
