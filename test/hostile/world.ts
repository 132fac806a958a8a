// What every hostile-use test starts from: the edge's environment, two tenants with one key each
// and a bank of tenant A with one reference (startWorld: on a runtime of test/edge's harness,
// e.g. workerd); helpers to read a bank's state and to check the invariants every refusal must
// hold, whatever the detail of the answer.
import assert from 'node:assert/strict';
import { call, referenceForm } from '../edge/harness/client.ts';
import type { ApiResponse } from '../edge/harness/client.ts';
import { startEdge } from '../edge/harness/runtimes.ts';
import type { RunningEdge, RuntimeName } from '../edge/harness/runtimes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';

export const ADMIN_KEY = 'hostile-admin-key-0123456789abcdef012345';

export interface GpuTarget {
  url: string;
  secret: string;
}

export function hostileEnv(gpu: GpuTarget, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REFSEG_GPU_NODES: gpu.url,
    REFSEG_GPU_SECRET: gpu.secret,
    REFSEG_ADMIN_KEY: ADMIN_KEY,
    REFSEG_MAX_BODY_BYTES: '2000000',
    REFSEG_MAX_PIXELS: '2000000',
    REFSEG_GPU_TIMEOUT_MS: '120000',
    REFSEG_LOG: 'off',
    REFSEG_KEY_BURST: '100000',
    REFSEG_KEY_REQUESTS_PER_MINUTE: '100000',
    ...extra,
  };
}

export interface Tenants {
  /** API key of tenant A (owner of `bank`). */
  a: string;
  /** API key of tenant B. */
  b: string;
  bank: string;
}

export interface World {
  edge: RunningEdge;
  tenants: Tenants;
}

export async function newTenantKey(base: string, tenant: string): Promise<string> {
  const res = await call(base, 'POST', '/v1/admin/keys', { token: ADMIN_KEY, json: { tenant } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.secret;
}

/** Tenant A's bank `shapes` (classes red, blue) with one red reference from the scene's mask. */
export async function seedTenants(base: string, scenes: TestScenes): Promise<Tenants> {
  const a = await newTenantKey(base, 'tenant-a');
  const b = await newTenantKey(base, 'tenant-b');
  const created = await call(base, 'POST', '/v1/banks', { token: a, json: { id: 'shapes', name: 'Shapes', classes: ['red', 'blue'] } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const added = await call(base, 'POST', '/v1/banks/shapes/references', {
    token: a,
    form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'red', mask: scenes.reference.masks[0] }] }]),
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  return { a, b, bank: 'shapes' };
}

export async function startWorld(runtime: RuntimeName, gpu: GpuTarget, scenes: TestScenes, extraEnv: Record<string, string> = {}): Promise<World> {
  const edge = await startEdge(runtime, hostileEnv(gpu, extraEnv));
  try {
    const tenants = await seedTenants(edge.url, scenes);
    return { edge, tenants };
  } catch (err) {
    await edge.close();
    throw err;
  }
}

/** Everything a tenant can observe of a bank: its view and its reference list. */
export async function bankState(base: string, token: string, bankId: string): Promise<unknown> {
  const view = await call(base, 'GET', `/v1/banks/${bankId}`, { token });
  const refs = await call(base, 'GET', `/v1/banks/${bankId}/references`, { token });
  assert.equal(view.status, 200, JSON.stringify(view.body));
  assert.equal(refs.status, 200, JSON.stringify(refs.body));
  return { view: view.body, references: refs.body };
}

/** Internal addresses, stack traces and runtime error text a tenant must never see. */
const LEAKS: [RegExp, string][] = [
  [/https?:\/\/(127\.|localhost|\[::1\]|10\.|192\.168\.)/i, 'an internal URL'],
  [/\bat [\w$.<>]+ \(?(file:|\/|node:)/, 'a stack trace'],
  [/\/(work|home|tmp|usr)\/[\w.-]+\//, 'a file path'],
  [/ECONNREFUSED|ECONNRESET|EADDRINUSE|ENOENT/, 'a system error code'],
  [/TypeError|ReferenceError|SyntaxError: Unexpected/, 'a JavaScript error name'],
];

export function assertNoLeak(res: ApiResponse, what: string): void {
  const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  for (const [pattern, name] of LEAKS) assert.doesNotMatch(text, pattern, `${what}: the answer contains ${name}: ${text.slice(0, 400)}`);
}

/** A refusal: 4xx (never 5xx), one problem+json with the common members, nothing internal. */
/** Longest `detail` a refusal may carry: a few issues, never every key of a big body. */
export const MAX_DETAIL_CHARS = 4000;

export function assertRefusal(res: ApiResponse, what: string, allowed?: readonly number[]): void {
  const body = typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body).slice(0, 300);
  assert.ok(res.status >= 400 && res.status < 500, `${what}: expected a 4xx, got ${res.status}: ${body}`);
  if (allowed) assert.ok(allowed.includes(res.status), `${what}: expected one of ${allowed.join('/')}, got ${res.status}: ${body}`);
  assertProblemShape(res, what, MAX_DETAIL_CHARS);
  assertNoLeak(res, what);
}

export function assertProblemShape(res: ApiResponse, what: string, maxDetail = MAX_DETAIL_CHARS): void {
  assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/, `${what}: Content-Type ${res.headers.get('Content-Type')}`);
  const p = res.body;
  assert.equal(typeof p, 'object', `${what}: body is JSON`);
  assert.match(p.type, /^https:\/\/refseg\.dev\/problems\/[a-z0-9-]+$/, `${what}: type ${p.type}`);
  assert.equal(typeof p.title, 'string', `${what}: title`);
  assert.equal(p.status, res.status, `${what}: status member`);
  assert.ok(typeof p.detail === 'string' && p.detail.length > 0 && p.detail.length <= maxDetail, `${what}: detail is a short text (${String(p.detail).length} chars)`);
  assert.equal(p.requestId, res.headers.get('X-Request-Id'), `${what}: requestId matches X-Request-Id`);
}

export async function assertAlive(base: string, what: string): Promise<void> {
  const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch((err: unknown) => {
    throw new Error(`${what}: the edge stopped answering /healthz (${String(err)})`);
  });
  assert.equal(res.status, 200, `${what}: /healthz ${res.status}`);
  await res.body?.cancel();
}
