// Hardening of the edge against one tenant taking the service from the others, and against
// leaks between tenants (issue 8): body limits per route, bounded validation answers, plain
// 5xx details, user-given names as data, the candidate cache scoped to the tenant.
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, fakeWorld, flatPng, referenceForm } from './harness/fake-world.ts';
import type { FakeWorld } from './harness/fake-world.ts';

const worlds: FakeWorld[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.dispose()));
});

async function world(options: Parameters<typeof fakeWorld>[0] = {}): Promise<FakeWorld> {
  const w = await fakeWorld({ ...options, env: { REFSEG_LOG: 'off', ...options.env } });
  worlds.push(w);
  return w;
}

/** A bank with the given classes and one box reference on the first. */
async function bankWithReference(w: FakeWorld, key: string, classes: string[], id?: string): Promise<string> {
  const created = await w.call('POST', '/v1/banks', key, { json: { name: 'b', classes, ...(id ? { id } : {}) } });
  expect(created.status).toBe(201);
  const bank = (await created.json()).id as string;
  const added = await w.call('POST', `/v1/banks/${bank}/references`, key, { body: referenceForm(await flatPng(1), [{ className: classes[0], box: [0, 0, 4, 4] }]) });
  expect(added.status).toBe(201);
  return bank;
}

async function segment(w: FakeWorld, key: string, bank: string, image: Uint8Array, options?: unknown): Promise<Response> {
  const query = options === undefined ? '' : `?options=${encodeURIComponent(JSON.stringify(options))}`;
  return w.call('POST', `/v1/banks/${bank}/segment${query}`, key, { body: image as BodyInit, headers: { 'Content-Type': 'image/png' } });
}

describe('big JSON bodies', () => {
  it('refuses a JSON body above the JSON limit with 413 before parsing it, and answers at most 10 issues', async () => {
    const w = await world({ env: { REFSEG_MAX_JSON_BYTES: '200000' } });
    const key = await w.key('t1');
    const many: Record<string, unknown> = { name: 'b', classes: ['a'] };
    for (let i = 0; i < 100_000; i++) many[`k${i}`] = 1;
    const huge = await w.call('POST', '/v1/banks', key, { json: many });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ type: 'https://refseg.dev/problems/payload-too-large', limitBytes: 200000 });

    // Under the limit, 9 000 unknown keys and 50 bad classes: a short answer naming a few.
    const some: Record<string, unknown> = { name: 'b', classes: Array.from({ length: 50 }, () => ' padded ') };
    for (let i = 0; i < 9000; i++) some[`k${i}`] = 1;
    const res = await w.call('POST', '/v1/banks', key, { json: some });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(8000);
    const problem = JSON.parse(text);
    expect(problem.issues.length).toBeLessThanOrEqual(10);
    expect(problem.issueCount).toBeGreaterThan(10);
    expect(problem.detail).toMatch(/and \d+ more$/);
  });

  it('gives bank files their own, larger limit', async () => {
    const w = await world({ env: { REFSEG_MAX_JSON_BYTES: '1000', REFSEG_MAX_BANK_FILE_BYTES: '100000' } });
    const key = await w.key('t1');
    const file = { format: 'refseg.bank', version: 1, padding: 'x'.repeat(5000) };
    const imported = await w.call('POST', '/v1/banks/import', key, { json: file });
    // Read and checked (400: not a bank file), not refused for its size.
    expect(imported.status).toBe(400);
    const tooBig = await w.call('POST', '/v1/banks/import', key, { json: { ...file, padding: 'x'.repeat(100_001) } });
    expect(tooBig.status).toBe(413);
    const small = await w.call('POST', '/v1/banks', key, { json: { name: 'b', classes: ['a'], padding: 'x'.repeat(1000) } });
    expect(small.status).toBe(413);
  });

  it('refuses a bank file of a hundred thousand member names within its size limit without parsing it', async () => {
    const w = await world();
    const key = await w.key('t1');
    const file: Record<string, unknown> = { format: 'refseg.bank', version: 1 };
    for (let i = 0; i < 100_000; i++) file[`k${i}`] = 0;
    const res = await w.call('POST', '/v1/banks/import', key, { json: file });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'https://refseg.dev/problems/json-too-complex', field: 'body', maxMembers: 50_000 });
  });
});

describe('internal detail', () => {
  it('answers tenants a plain 503 with the request id; the node URLs and errors go to the log and the admin status', async () => {
    const w = await world({ env: { REFSEG_GPU_TIMEOUT_MS: '300', REFSEG_GPU_HEALTH_INTERVAL_MS: '3000' } });
    const key = await w.key('t1');
    const bank = await bankWithReference(w, key, ['a']);
    const url = w.nodes[0].node.url;
    w.nodes[0].pipeline.gate = new Promise(() => {});
    const res = await w.call('POST', `/v1/banks/${bank}/segment`, key, { body: (await flatPng(77)) as BodyInit, headers: { 'Content-Type': 'image/png', 'X-Request-Id': 'leak-1' } });
    expect(res.status).toBe(503);
    expect(res.headers.get('Retry-After')).toBe('3');
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 503, requestId: 'leak-1', retryAfter: 3 });
    expect(text).not.toContain(url);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toMatch(/did not answer|within 300 ms/);
    const logged = w.log.find((e) => e.requestId === 'leak-1');
    expect(String(logged?.error)).toContain(url);

    const ready = await w.call('GET', '/readyz', null);
    const readyText = await ready.text();
    expect(readyText).not.toContain(url);
    // The node's health probe still answers (only its model work hangs), so the pool's immediate
    // re-probe after losing its last node may already have it back: only the shape is public.
    expect(JSON.parse(readyText).gpuNodes).toMatchObject({ total: 1 });
    expect(Object.keys(JSON.parse(readyText).gpuNodes).sort()).toEqual(['healthy', 'total']);

    expect((await w.call('GET', '/v1/admin/status', key)).status).toBe(403);
    expect((await w.call('GET', '/v1/admin/status', null)).status).toBe(401);
    const status = await (await w.call('GET', '/v1/admin/status', ADMIN)).json();
    expect(status.gpuNodes).toMatchObject([{ url, failures: 1 }]);
    expect(status.gpuNodes[0].lastError).toMatch(/did not answer candidates within 300 ms/);
  });
});

describe('user-given names', () => {
  const NASTY = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '猫 🐈 ünï', 'y'.repeat(128)];

  it('banks, classes and per-class thresholds named __proto__, constructor, toString, unicode or 128 characters behave like any other', async () => {
    const w = await world();
    const key = await w.key('t1');
    for (const id of ['__proto__', 'constructor', 'toString', 'x'.repeat(64)]) {
      const bank = await bankWithReference(w, key, NASTY.slice(0), id);
      expect(bank).toBe(id);
      const got = await (await w.call('GET', `/v1/banks/${id}`, key)).json();
      expect(got.classes.map((c: { name: string }) => c.name)).toEqual(NASTY);
      const refs = (await (await w.call('GET', `/v1/banks/${id}/references`, key)).json()).references;
      expect(refs).toHaveLength(1);
    }
    const list = (await (await w.call('GET', '/v1/banks', key)).json()).banks.map((b: { id: string }) => b.id);
    expect(list.sort()).toEqual(['__proto__', 'constructor', 'toString', 'x'.repeat(64)].sort());

    // The reference is of class __proto__: its detection is kept at threshold 0 and cut by a
    // per-class threshold above its score, given under that very name.
    const image = await flatPng(5);
    const found = await (await segment(w, key, '__proto__', image)).json();
    expect(found.detections.map((d: { class: string }) => d.class)).toEqual(['__proto__']);
    const score = found.detections[0].score as number;
    expect(score).toBeLessThan(1);
    const cut = await segment(w, key, '__proto__', image, JSON.parse(`{"perClassThresholds": {"__proto__": ${Math.min(1, score + 1e-6)}}}`));
    expect(cut.status).toBe(200);
    expect((await cut.json()).detections).toEqual([]);
    const kept = await segment(w, key, '__proto__', image, JSON.parse(`{"perClassThresholds": {"__proto__": ${score}, "constructor": 1, "toString": 1}}`));
    expect((await kept.json()).detections).toHaveLength(1);

    const removed = await w.call('DELETE', `/v1/banks/__proto__/classes/${encodeURIComponent('constructor')}`, key);
    expect((await removed.json()).classes.map((c: { name: string }) => c.name)).toEqual(NASTY.filter((n) => n !== 'constructor'));
    const refId = (await (await w.call('GET', '/v1/banks/toString/references', key)).json()).references[0].id;
    expect((await w.call('DELETE', `/v1/banks/toString/references/${refId}`, key)).status).toBe(204);
    expect((await w.call('DELETE', '/v1/banks/__proto__', key)).status).toBe(204);
    expect((await w.call('GET', '/v1/banks/__proto__', key)).status).toBe(404);
    expect((await w.call('GET', '/v1/banks/constructor', key)).status).toBe(200);
    // Too long: refused with a clear 4xx naming the field, not a 500.
    const long = await w.call('POST', '/v1/banks', key, { json: { name: 'b', classes: ['z'.repeat(129)] } });
    expect(long.status).toBe(422);
    expect((await long.json()).field).toBe('classes[0]');
  });

  it('reference ids from a bank file named __proto__, constructor or toString are kept, listed and deleted like any other', async () => {
    const w = await world();
    const key = await w.key('t1');
    await bankWithReference(w, key, ['__proto__', 'toString'], 'source');
    const file = await (await w.call('GET', '/v1/banks/source/export', key)).json();
    const instance = file.classes[0].instances[0];
    const ids = ['__proto__', 'constructor', 'toString'];
    file.classes[0].instances = ids.map((referenceId) => ({ ...instance, referenceId }));
    // Sent as text, as a client would: JSON.stringify keeps an own "__proto__" member.
    const body = JSON.stringify(file);
    expect(body).toContain('"referenceId":"__proto__"');
    const imported = await w.call('POST', '/v1/banks/import?id=copy', key, { body, headers: { 'Content-Type': 'application/json' } });
    expect(imported.status).toBe(201);
    expect((await imported.json()).referenceCount).toBe(3);
    const listed = (await (await w.call('GET', '/v1/banks/copy/references', key)).json()).references.map((r: { id: string }) => r.id);
    expect(listed).toEqual(ids);
    expect((await w.call('DELETE', '/v1/banks/copy/references/__proto__', key)).status).toBe(204);
    expect((await w.call('DELETE', '/v1/banks/copy/references/__proto__', key)).status).toBe(404);
    const left = (await (await w.call('GET', '/v1/banks/copy/references', key)).json()).references.map((r: { id: string }) => r.id);
    expect(left).toEqual(['constructor', 'toString']);
  });
});

describe('option keys', () => {
  it('a query or body member named __proto__, constructor or toString is an unknown member like any other (400), never ignored', async () => {
    const w = await world();
    const key = await w.key('t1');
    for (const name of ['surprise', '__proto__', 'constructor', 'toString']) {
      const query = await w.call('POST', `/v1/images?exif=ignore&${name}=1`, key, { body: 'x', headers: { 'Content-Type': 'image/png' } });
      expect(query.status, name).toBe(400);
      expect((await query.json()).detail).toContain(`Unrecognized key: "${name}"`);
      const body = await w.call('POST', '/v1/banks', key, { body: `{"name": "b", "classes": ["a"], "${name}": {"x": 1}}`, headers: { 'Content-Type': 'application/json' } });
      expect(body.status, name).toBe(400);
      const options = await w.call('POST', '/v1/banks/nope/segment', key, { json: { imageId: 'a'.repeat(64), options: JSON.parse(`{"${name}": {"maxDetections": 1}}`) } });
      expect(options.status, name).toBe(400);
      expect((await options.json()).field).toBe('options');
    }
  });
});

describe('candidate cache', () => {
  it('is scoped to the tenant: another tenant\'s upload of the same bytes is a miss', async () => {
    const w = await world();
    const [a, b] = [await w.key('tenant-a'), await w.key('tenant-b')];
    const [bankA, bankB] = [await bankWithReference(w, a, ['a']), await bankWithReference(w, b, ['a'])];
    const image = await flatPng(42);
    expect((await (await segment(w, a, bankA, image)).json()).cache).toBe('miss');
    expect((await (await segment(w, a, bankA, image)).json()).cache).toBe('hit');
    const calls = w.nodes[0].pipeline.calls.length;
    expect((await (await segment(w, b, bankB, image)).json()).cache).toBe('miss');
    // B's first segment of the image is a real gpu-node call, as any new image is: same timing.
    expect(w.nodes[0].pipeline.calls.length).toBe(calls + 1);
    expect((await (await segment(w, b, bankB, image)).json()).cache).toBe('hit');
    // POST /v1/images is scoped the same way.
    const upload = await w.call('POST', '/v1/images', await w.key('tenant-c'), { body: image as BodyInit, headers: { 'Content-Type': 'image/png' } });
    expect((await upload.json()).cache).toBe('miss');
  });

  it('is shared by the tenants of one organisation when the operator says so', async () => {
    const w = await world({ env: { REFSEG_CACHE_ORGANISATIONS: 'acme=acme-dev,acme-prod; globex=gx' } });
    const [dev, prod, gx] = [await w.key('acme-dev'), await w.key('acme-prod'), await w.key('gx')];
    const image = await flatPng(43);
    expect((await (await segment(w, dev, await bankWithReference(w, dev, ['a']), image)).json()).cache).toBe('miss');
    expect((await (await segment(w, prod, await bankWithReference(w, prod, ['a']), image)).json()).cache).toBe('hit');
    expect((await (await segment(w, gx, await bankWithReference(w, gx, ['a']), image)).json()).cache).toBe('miss');
  });
});

describe('image formats', () => {
  it('takes GIF and TIFF, and refuses BMP with a 415 naming the type found, the type declared and the accepted ones', async () => {
    const sharp = (await import('sharp')).default;
    const w = await world();
    const key = await w.key('t1');
    const pixels = Buffer.alloc(8 * 6 * 3, 70);
    for (const format of ['gif', 'tiff'] as const) {
      const bytes = await sharp(pixels, { raw: { width: 8, height: 6, channels: 3 } }).toFormat(format).toBuffer();
      const res = await w.call('POST', '/v1/images', key, { body: new Uint8Array(bytes) as BodyInit, headers: { 'Content-Type': `image/${format}` } });
      expect(res.status, format).toBe(201);
    }
    const bmp = new Uint8Array(70);
    bmp.set([0x42, 0x4d]);
    const res = await w.call('POST', '/v1/images', key, { body: bmp as BodyInit, headers: { 'Content-Type': 'image/png' } });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      sniffed: 'image/bmp',
      declared: 'image/png',
      accepted: ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff'],
      detail: expect.stringMatching(/^The image's bytes are image\/bmp, which refseg does not take \(the request declared them as image\/png\)/),
    });
  });
});

describe('fair use per API key', () => {
  it('answers 429 + Retry-After over the key\'s rate or its requests in progress; the admin sets each key\'s limits', async () => {
    const w = await world({ env: { REFSEG_KEY_BURST: '1000' } });
    const [key, other] = [await w.key('t1'), await w.key('t2')];
    const keyId = (await (await w.call('GET', '/v1/admin/keys?tenant=t1', ADMIN)).json()).keys[0].id;
    const bank = await bankWithReference(w, key, ['a']);

    // Rate: a burst of 3, then one request a second.
    const set = await w.call('PUT', `/v1/admin/keys/${keyId}/limits`, ADMIN, { json: { requestsPerMinute: 60, burst: 3 } });
    expect(set.status).toBe(200);
    expect((await set.json()).limits).toEqual({ requestsPerMinute: 60, burst: 3 });
    expect((await w.call('PUT', `/v1/admin/keys/${keyId}/limits`, key, { json: {} })).status).toBe(403);
    expect((await w.call('PUT', `/v1/admin/keys/${keyId}/limits`, ADMIN, { json: { burst: -1 } })).status).toBe(422);
    expect((await w.call('PUT', '/v1/admin/keys/key_0000000000000000/limits', ADMIN, { json: {} })).status).toBe(404);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await w.call('GET', `/v1/banks/${bank}`, key)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await w.call('GET', '/v1/banks', key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('1');
    expect(await limited.json()).toMatchObject({ type: 'https://refseg.dev/problems/too-many-requests', limits: { requestsPerMinute: 60, burst: 3 } });
    // Other tenants are not slowed down.
    expect((await w.call('GET', '/v1/banks', other)).status).toBe(200);

    // Requests in progress: one segment held at the gpu-node, the next one refused at once.
    expect((await w.call('PUT', `/v1/admin/keys/${keyId}/limits`, ADMIN, { json: { concurrent: 1, requestsPerMinute: 600_000 } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    let open!: () => void;
    w.nodes[0].pipeline.gate = new Promise((resolve) => (open = resolve));
    const held = segment(w, key, bank, await flatPng(90));
    await expect.poll(() => w.nodes[0].pipeline.calls.length).toBeGreaterThan(1);
    const second = await w.call('GET', '/v1/banks', key);
    expect(second.status).toBe(429);
    expect((await second.json()).detail).toMatch(/1 requests in progress/);
    open();
    expect((await held).status).toBe(200);
    expect((await w.call('GET', '/v1/banks', key)).status).toBe(200);
    const metrics = await (await w.call('GET', '/metrics', ADMIN)).text();
    expect(metrics).toMatch(/refseg_edge_throttled_total\{reason="rate"\} 2/);
    expect(metrics).toMatch(/refseg_edge_throttled_total\{reason="concurrency"\} 1/);
  });
});
