// The OpenAPI document is the contract: every operation, sent schema-invalid requests of every
// kind (no token, wrong token, malformed path ids, unknown query members, wrong content types,
// malformed and empty bodies), answers only statuses its document lists, problems as
// problem+json. A status a route can answer but does not document fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, fakeWorld, flatPng } from './harness/fake-world.ts';
import type { FakeWorld } from './harness/fake-world.ts';

interface Operation {
  operationId: string;
  'x-access': 'public' | 'tenant' | 'admin';
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}

let w: FakeWorld;
let doc: { servers?: { url: string }[]; paths: Record<string, Record<string, Operation>> };
let tenant: string;
let png: Uint8Array;

beforeAll(async () => {
  w = await fakeWorld({ env: { REFSEG_LOG: 'off' } });
  tenant = await w.key('contract');
  doc = await (await w.call('GET', '/openapi.json', null)).json();
  png = await flatPng(9);
  // A bank that exists, so that requests reach their body checks.
  expect((await w.call('POST', '/v1/banks', tenant, { json: { id: 'real', name: 'r', classes: ['a'] } })).status).toBe(201);
});
afterAll(() => w?.dispose());

interface Attempt {
  what: string;
  path: string;
  token: string | null;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** Schema-invalid (or unauthenticated) variants of one operation. */
function attempts(path: string, op: Operation): Attempt[] {
  const token = op['x-access'] === 'admin' ? ADMIN : op['x-access'] === 'tenant' ? tenant : null;
  const fill = (value: (name: string) => string) => path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name)));
  const good = fill((name) => (name === 'bankId' ? 'real' : name === 'className' ? 'a' : name === 'keyId' ? 'key_0123456789abcdef' : 'ref-1'));
  const out: Attempt[] = [{ what: 'valid ids, no body', path: good, token }];
  if (path.includes('{')) {
    out.push({ what: 'malformed path ids', path: fill(() => 'not valid/!'.repeat(30)), token });
    out.push({ what: 'unknown ids', path: fill((name) => (name === 'keyId' ? 'key_ffffffffffffffff' : 'nope')), token });
  }
  out.push({ what: 'unknown query member', path: `${good}?surprise=1`, token });
  for (const q of op.parameters?.filter((p) => p.in === 'query') ?? []) out.push({ what: `malformed query ${q.name}`, path: `${good}?${q.name}=${encodeURIComponent('{bad')}`, token });
  if (op['x-access'] !== 'public') {
    out.push({ what: 'no token', path: good, token: null });
    out.push({ what: 'wrong kind of token', path: good, token: op['x-access'] === 'admin' ? tenant : ADMIN });
    out.push({ what: 'unknown token', path: good, token: `rsk_${'0'.repeat(64)}` });
  }
  if (op.requestBody) {
    const json = (body: string): Attempt => ({ what: `JSON ${body.slice(0, 20)}`, path: good, token, body, headers: { 'Content-Type': 'application/json' } });
    out.push(json('{"unexpected": true}'), json('[]'), json('{not json'), json('null'), json('"x"'));
    out.push({ what: 'text/plain', path: good, token, body: 'hello', headers: { 'Content-Type': 'text/plain' } });
    out.push({ what: 'a real image/png', path: good, token, body: png as BodyInit, headers: { 'Content-Type': 'image/png' } });
    out.push({ what: 'image/png of text', path: good, token, body: 'not an image', headers: { 'Content-Type': 'image/png' } });
    out.push({ what: 'image/png, empty', path: good, token, body: new Uint8Array(0), headers: { 'Content-Type': 'image/png' } });
    const form = new FormData();
    form.append('unexpected', 'x');
    out.push({ what: 'multipart without the parts', path: good, token, body: form });
    const broken = new FormData();
    broken.append('image', new File([png as BlobPart], 'a.png', { type: 'image/png' }));
    broken.append('annotations', '[{"className": 5}]');
    broken.append('options', '{"maxDetections": "many"}');
    out.push({ what: 'multipart with malformed JSON parts', path: good, token, body: broken });
    out.push({ what: 'multipart boundary missing', path: good, token, body: 'x', headers: { 'Content-Type': 'multipart/form-data' } });
  }
  return out;
}

describe('the OpenAPI document as the contract', () => {
  it('names the server it is served from', () => {
    expect(doc.servers).toEqual([{ url: w.edge.url, description: expect.any(String) }]);
  });

  it('documents every status that schema-invalid requests get, on every operation', async () => {
    expect(await undocumentedAnswers()).toEqual([]);
  });

  it('documents them with the gpu-node gone too (503s)', async () => {
    const node = w.nodes[0];
    node.pipeline.gate = undefined;
    await node.node.close();
    w.nodes.splice(0);
    expect(await undocumentedAnswers(true)).toEqual([]);
  });
});

/** Answers that are not documented (or not problem+json, or 5xx when `unavailable` is false). */
async function undocumentedAnswers(unavailable = false): Promise<string[]> {
  const undocumented: string[] = [];
  let sent = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const a of attempts(path, op)) {
        const headers: Record<string, string> = { ...a.headers };
        if (a.token) headers.Authorization = `Bearer ${a.token}`;
        const res = await fetch(w.edge.url + a.path, { method: method.toUpperCase(), headers, body: method === 'get' ? undefined : a.body });
        sent++;
        const status = String(res.status);
        const type = res.headers.get('Content-Type') ?? '';
        const text = await res.text();
        if (!(status in op.responses)) undocumented.push(`${method.toUpperCase()} ${path} (${op.operationId}) ${a.what}: ${status} ${text.slice(0, 160)}`);
        if (res.status >= 400 && !type.startsWith('application/problem+json')) undocumented.push(`${op.operationId} ${a.what}: ${status} as ${type}`);
        if (res.status >= 500 && !(unavailable && res.status === 503)) undocumented.push(`${op.operationId} ${a.what}: server error ${status} ${text.slice(0, 160)}`);
      }
    }
  }
  expect(sent).toBeGreaterThan(150);
  return undocumented;
}
