// The edge's HTTP API suite: the same cases, in this order, against the edge on every runtime
// (api.test.ts: Node, Deno and workerd under vitest; api.deno.ts: in-process under `deno test`).
// Only fetch and node:assert, so it runs wherever the client side is Node or Deno. Cases share
// state (keys, banks, cached images) because candidate sets are expensive on the stand-in
// gpu-node: each case relies on the ones before it.
import assert from 'node:assert/strict';
import { prototypes } from '../../shared/bank/prototypes.ts';
import { annToRle, decodeRle, frPoly, mergeRles, rleArea, rleIou } from '../../shared/coco-mask/index.ts';
import { base64ToBytes, bytesToBase64, readFloat32LE, sha256Hex, toLittleEndianBytes } from '../../shared/encoding/index.ts';
import type { Rle } from '../../shared/types.ts';
import { call, filePart, referenceForm, segmentForm } from './harness/client.ts';
import type { ApiResponse } from './harness/client.ts';
import { readMaskPng } from './harness/png.ts';
import { postUnfinished } from './harness/raw-http.ts';
import type { TestScenes } from './harness/scenes.ts';

export interface SuiteContext {
  /** Edge base URL. */
  base: string;
  adminKey: string;
  /** The gpu-node the edge uses (the equality case calls it directly). */
  gpu: { url: string; secret: string };
  scenes: TestScenes;
  /** REFSEG_MAX_BODY_BYTES and REFSEG_MAX_PIXELS the edge runs with. */
  limits: { maxBodyBytes: number; maxPixels: number };
}

export interface SuiteState {
  acme: string;
  globex: string;
  bank: string;
  /** The target's segmentation by `bank` (RLE masks, defaults). */
  baseline: any;
}

export interface ApiCase {
  name: string;
  run(ctx: SuiteContext, state: SuiteState): Promise<void>;
}

export const EDGE_ENV_LIMITS = { maxBodyBytes: 2_000_000, maxPixels: 2_000_000 };

/** The environment every runtime's edge gets (besides the gpu-node URL and secret). */
export function edgeEnv(ctx: Pick<SuiteContext, 'adminKey' | 'gpu'>): Record<string, string> {
  return {
    REFSEG_GPU_NODES: ctx.gpu.url,
    REFSEG_GPU_SECRET: ctx.gpu.secret,
    REFSEG_ADMIN_KEY: ctx.adminKey,
    REFSEG_MAX_BODY_BYTES: String(EDGE_ENV_LIMITS.maxBodyBytes),
    REFSEG_MAX_PIXELS: String(EDGE_ENV_LIMITS.maxPixels),
    REFSEG_GPU_TIMEOUT_MS: '120000',
    REFSEG_LOG: 'off',
  };
}

export const newState = (): SuiteState => ({ acme: '', globex: '', bank: '', baseline: null });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function expectProblem(res: ApiResponse, status: number, slug: string, field?: string): void {
  assert.equal(res.status, status, `expected ${status} ${slug}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
  assert.equal(res.body.type, `https://refseg.dev/problems/${slug}`);
  assert.equal(res.body.status, status);
  assert.equal(res.body.requestId, res.headers.get('X-Request-Id'));
  assert.ok(typeof res.body.detail === 'string' && res.body.detail.length > 0);
  if (field !== undefined) assert.equal(res.body.field, field);
}

function expectOk(res: ApiResponse, status = 200): void {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${typeof res.body === 'string' ? res.body.slice(0, 500) : JSON.stringify(res.body).slice(0, 500)}`);
}

/** Requests the gpu-node has answered on /v1/candidates (from its Prometheus metrics). */
async function candidateCalls(ctx: SuiteContext): Promise<number> {
  const res = await fetch(`${ctx.gpu.url}/metrics`, { headers: { Authorization: `Bearer ${ctx.gpu.secret}` } });
  const text = await res.text();
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^refseg_gpu_http_requests_total\{([^}]*)\} (\d+)/.exec(line);
    if (m && m[1].includes('route="/v1/candidates"')) n += Number(m[2]);
  }
  return n;
}

/** The detection of class `name` that best overlaps `truth`, and that IoU. */
function bestMatch(detections: any[], name: string, truth: Rle): { iou: number; detection: any } {
  let best = { iou: 0, detection: null as any };
  for (const d of detections) {
    if (d.class !== name) continue;
    const iou = rleIou([d.mask], [truth], [0])[0][0];
    if (iou > best.iou) best = { iou, detection: d };
  }
  return best;
}

const json = (res: ApiResponse) => res.body;

export const apiCases: ApiCase[] = [
  {
    name: 'health, readiness, request ids and unknown routes',
    async run({ base }) {
      const health = await call(base, 'GET', '/healthz');
      expectOk(health);
      assert.deepEqual(health.body, { status: 'ok' });
      assert.match(health.headers.get('X-Request-Id') ?? '', UUID);
      const echoed = await call(base, 'GET', '/healthz', { headers: { 'X-Request-Id': 'client-id_42' } });
      assert.equal(echoed.headers.get('X-Request-Id'), 'client-id_42');
      const ready = await call(base, 'GET', '/readyz');
      expectOk(ready);
      assert.equal(ready.body.status, 'ready');
      assert.deepEqual(ready.body.gpuNodes, { healthy: 1, total: 1 });
      const missing = await call(base, 'GET', '/v2/nothing', { headers: { 'X-Request-Id': 'lost-1' } });
      expectProblem(missing, 404, 'not-found');
      assert.equal(missing.body.requestId, 'lost-1');
    },
  },
  {
    name: 'OpenAPI 3.1 document from the zod schemas, and a self-contained /docs page',
    async run({ base }) {
      const doc = json(await call(base, 'GET', '/openapi.json'));
      assert.equal(doc.openapi, '3.1.0');
      const segment = doc.paths['/v1/banks/{bankId}/segment'].post;
      assert.deepEqual(Object.keys(segment.requestBody.content).sort(), ['application/json', 'image/*', 'multipart/form-data']);
      const options = segment.requestBody.content['multipart/form-data'].schema.properties.options;
      assert.deepEqual(options.properties.maskFormat.enum, ['rle', 'polygon', 'png']);
      assert.equal(options.properties.maxDetections.default, 100);
      assert.equal(segment.requestBody.content['multipart/form-data'].encoding.options.contentType, 'application/json');
      assert.ok(segment.responses['200'].content['application/json'].schema.properties.detections);
      for (const status of ['401', '404', '413', '415', '422', '503']) assert.ok(segment.responses[status], `segment documents ${status}`);
      const refs = doc.paths['/v1/banks/{bankId}/references'].post;
      const annotation = refs.requestBody.content['multipart/form-data'].schema.properties.annotations.items;
      assert.deepEqual(Object.keys(annotation.properties).sort(), ['box', 'className', 'mask', 'negative', 'polygons']);
      assert.deepEqual(doc.paths['/healthz'].get.security, []);
      assert.deepEqual(doc.paths['/v1/banks'].post.security, [{ bearer: [] }]);

      const page = await call(base, 'GET', '/docs');
      expectOk(page);
      assert.match(page.headers.get('Content-Type') ?? '', /^text\/html/);
      assert.match(page.body, /<script>/);
      assert.match(page.body, /openapi\.json/);
      assert.doesNotMatch(page.body, /(src|href)="(https?:)?\/\//, 'no external resources');
    },
  },
  {
    name: 'API keys: the admin key creates, lists and revokes them; tenants cannot',
    async run({ base, adminKey }, state) {
      const anonymous = await call(base, 'POST', '/v1/admin/keys', { json: { tenant: 'acme' } });
      expectProblem(anonymous, 401, 'unauthorized');
      assert.equal(anonymous.headers.get('WWW-Authenticate'), 'Bearer');
      expectProblem(await call(base, 'POST', '/v1/admin/keys', { token: 'rsk_' + '0'.repeat(64), json: { tenant: 'acme' } }), 401, 'unauthorized');

      for (const tenant of ['acme', 'globex'] as const) {
        const created = await call(base, 'POST', '/v1/admin/keys', { token: adminKey, json: { tenant, label: `${tenant} test` } });
        expectOk(created, 201);
        assert.match(created.body.secret, /^rsk_[0-9a-f]{64}$/);
        assert.equal(created.body.key.tenant, tenant);
        state[tenant] = created.body.secret;
      }
      expectProblem(await call(base, 'POST', '/v1/admin/keys', { token: adminKey, json: { tenant: 'bad tenant!' } }), 422, 'invalid-value', 'tenant');

      expectProblem(await call(base, 'GET', '/v1/admin/keys?tenant=acme', { token: state.acme }), 403, 'forbidden');
      expectProblem(await call(base, 'GET', '/v1/banks', { token: adminKey }), 403, 'forbidden');

      const spare = json(await call(base, 'POST', '/v1/admin/keys', { token: adminKey, json: { tenant: 'acme' } }));
      expectOk(await call(base, 'GET', '/v1/banks', { token: spare.secret }));
      const listed = await call(base, 'GET', '/v1/admin/keys?tenant=acme', { token: adminKey });
      expectOk(listed);
      assert.equal(listed.body.keys.length, 2);
      assert.ok(listed.body.keys.every((k: any) => !('secret' in k) && k.tenant === 'acme'));
      expectOk(await call(base, 'DELETE', `/v1/admin/keys/${spare.key.id}`, { token: adminKey }), 204);
      expectProblem(await call(base, 'GET', '/v1/banks', { token: spare.secret }), 401, 'unauthorized');
      expectProblem(await call(base, 'DELETE', `/v1/admin/keys/${spare.key.id}`, { token: adminKey }), 404, 'not-found');
    },
  },
  {
    name: 'banks: create, view, list, delete; another tenant sees nothing',
    async run({ base }, state) {
      const created = await call(base, 'POST', '/v1/banks', { token: state.acme, json: { id: 'colours', name: 'Colours', classes: ['red', 'blue'] } });
      expectOk(created, 201);
      assert.equal(created.headers.get('Location'), '/v1/banks/colours');
      assert.deepEqual(
        created.body.classes.map((c: any) => [c.name, c.label, c.positives, c.negatives]),
        [
          ['red', 0, 0, 0],
          ['blue', 1, 0, 0],
        ],
      );
      assert.equal(created.body.referenceCount, 0);
      state.bank = 'colours';
      expectProblem(await call(base, 'POST', '/v1/banks', { token: state.acme, json: { id: 'colours', name: 'again', classes: ['x'] } }), 409, 'bank-exists');
      expectProblem(await call(base, 'POST', '/v1/banks', { token: state.acme, json: { name: 'dup', classes: ['a', 'a'] } }), 422, 'invalid-value', 'classes');
      expectProblem(await call(base, 'POST', '/v1/banks', { token: state.acme, body: 'name=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
      expectProblem(await call(base, 'POST', '/v1/banks', { token: state.acme, body: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, 'bad-request', 'body');

      const scratch = json(await call(base, 'POST', '/v1/banks', { token: state.acme, json: { name: 'Scratch', classes: ['x'] } }));
      assert.match(scratch.id, /^bank_[0-9a-f]{16}$/);
      const list = await call(base, 'GET', '/v1/banks', { token: state.acme });
      assert.deepEqual(
        list.body.banks.map((b: any) => b.id),
        ['colours', scratch.id],
      );
      // Tenant isolation: absent, not forbidden.
      expectProblem(await call(base, 'GET', '/v1/banks/colours', { token: state.globex }), 404, 'not-found');
      expectProblem(await call(base, 'DELETE', '/v1/banks/colours', { token: state.globex }), 404, 'not-found');
      assert.deepEqual(json(await call(base, 'GET', '/v1/banks', { token: state.globex })).banks, []);

      expectOk(await call(base, 'DELETE', `/v1/banks/${scratch.id}`, { token: state.acme }), 204);
      expectProblem(await call(base, 'GET', `/v1/banks/${scratch.id}`, { token: state.acme }), 404, 'not-found');
    },
  },
  {
    name: 'references: masks as RLE, polygons or boxes, several images at once, with quality feedback',
    async run({ base, scenes }, state) {
      const { reference, reference2 } = scenes;
      const polygon = [180, 60, 290, 60, 290, 150, 180, 150];
      const res = await call(base, 'POST', `/v1/banks/${state.bank}/references`, {
        token: state.acme,
        form: referenceForm([
          {
            image: reference.bytes,
            annotations: [
              { className: 'red', mask: reference.masks[0] },
              { className: 'blue', polygons: [polygon] },
            ],
          },
          { image: reference2.bytes, annotations: [{ className: 'red', box: [110, 70, 80, 80] }] },
        ]),
      });
      expectOk(res, 201);
      const { bank, references } = res.body;
      assert.deepEqual(
        references.map((r: any) => [r.className, r.negative, r.source.annotation]),
        [
          ['red', false, 'mask'],
          ['blue', false, 'polygons'],
          ['red', false, 'box'],
        ],
      );
      assert.equal(references[0].source.imageSha256, await sha256Hex(reference.bytes));
      // The stored masks: as given, the polygon rasterised, SAM2's mask for the box.
      assert.deepEqual(references[0].mask, reference.masks[0]);
      assert.deepEqual(references[1].mask, frPoly(polygon, reference.height, reference.width));
      assert.ok(rleIou([references[2].mask], [reference2.masks[0]], [0])[0][0] > 0.9, 'SAM2 turned the box into the disc');
      // Two red references agree with each other; the only blue one has nothing to compare with.
      assert.equal(references[0].quality.basis, 'leave-one-out');
      assert.ok(references[0].quality.classCosine > 0.9);
      assert.equal(references[0].quality.outlier, false);
      assert.equal(references[1].quality.basis, 'single-shot');
      assert.equal(references[1].quality.classCosine, null);
      assert.equal(references[0].quality.nearestOtherClass.className, 'blue');
      assert.deepEqual(
        bank.classes.map((c: any) => [c.name, c.positives, c.negatives]),
        [
          ['red', 2, 0],
          ['blue', 1, 0],
        ],
      );
      assert.ok(bank.classes[0].quality.meanLeaveOneOutCosine > 0.9);
      assert.equal(bank.referenceCount, 3);
      const view = json(await call(base, 'GET', `/v1/banks/${state.bank}`, { token: state.acme }));
      assert.deepEqual(view.classes, bank.classes);
      const listed = json(await call(base, 'GET', `/v1/banks/${state.bank}/references`, { token: state.acme }));
      assert.deepEqual(
        listed.references.map((r: any) => r.id),
        references.map((r: any) => r.id),
      );
    },
  },
  {
    name: 'references: bad input gets a precise 4xx and nothing is stored',
    async run({ base, scenes }, state) {
      const { reference } = scenes;
      const add = (annotations: unknown, image = reference.bytes, path = `/v1/banks/${state.bank}/references`) =>
        call(base, 'POST', path, { token: state.acme, form: referenceForm([{ image, annotations }]) });
      expectProblem(await add([{ className: 'red', mask: { size: [240, 320], counts: '!!' } }]), 422, 'malformed-rle', 'annotations[0].mask.counts');
      expectProblem(await add([{ className: 'red', mask: { size: [240, 320], counts: '0' } }]), 422, 'malformed-rle', 'annotations[0].mask.counts');
      expectProblem(await add([{ className: 'red', mask: { size: [240, 320], counts: [5, 7] } }]), 422, 'malformed-rle', 'annotations[0].mask.counts');
      expectProblem(await add([{ className: 'red', polygons: [[1, 2, 3, 4, 5]] }]), 422, 'malformed-polygon', 'annotations[0].polygons[0]');
      expectProblem(await add([{ className: 'red', box: [10, 10, -5, 20] }]), 422, 'malformed-box', 'annotations[0].box[2]');
      expectProblem(await add([{ className: 'red', box: [10, 10, 0, 20] }]), 422, 'malformed-box', 'annotations[0].box');
      expectProblem(await add([{ className: 'red', box: [1, 1, 5, 5], mask: reference.masks[0] }]), 422, 'invalid-value', 'annotations[0]');
      expectProblem(await add([{ className: 'red', box: [1, 1, 5, 5], colour: 'red' }]), 400, 'invalid-request');
      const unknownClass = await add([{ className: 'red', mask: reference.masks[0] }, { className: 'purple', box: [1, 1, 5, 5] }]);
      expectProblem(unknownClass, 404, 'not-found', 'annotations[1].className');
      assert.equal(unknownClass.body.resource, 'class');
      expectProblem(await add([{ className: 'red', mask: reference.masks[0] }], reference.bytes, '/v1/banks/nope/references'), 404, 'not-found');
      const bmp = await add([{ className: 'red', box: [1, 1, 5, 5] }], scenes.bmp);
      expectProblem(bmp, 415, 'unsupported-media-type', 'image');
      assert.equal(bmp.body.sniffed, 'image/bmp');
      const big = await add([{ className: 'red', box: [1, 1, 5, 5] }], scenes.large);
      expectProblem(big, 422, 'pixel-limit', 'image');
      assert.equal(big.body.maxPixels, EDGE_ENV_LIMITS.maxPixels);
      // The gpu-node's own refusal (a mask of another size than the image) comes through as is.
      const wrongSize = await add([{ className: 'red', mask: scenes.reference2.masks[0] }]);
      assert.ok(wrongSize.status === 422 || wrongSize.status === 400, JSON.stringify(wrongSize.body));
      assert.equal(wrongSize.body.requestId, wrongSize.headers.get('X-Request-Id'));
      expectProblem(await call(base, 'POST', `/v1/banks/${state.bank}/references`, { token: state.acme, json: [] }), 415, 'unsupported-media-type');

      const view = json(await call(base, 'GET', `/v1/banks/${state.bank}`, { token: state.acme }));
      assert.equal(view.referenceCount, 3, 'no failed request stored anything');
    },
  },
  {
    name: 'auth is checked before the body is read; oversized bodies get 413 before they are read',
    async run({ base, limits }, state) {
      // A chunked body that is never finished: only an answer given before reading all of it can arrive.
      const path = `/v1/banks/${state.bank}/segment`;
      // No body byte at all: workerd closes at once after answering, and a byte left unread in its
      // socket makes the kernel reset the connection, which can destroy the answer (seen as a flake).
      const unauthenticated = await postUnfinished(base, path, { 'Content-Type': 'image/png' }, 0);
      assert.equal(unauthenticated.status, 401);
      assert.equal(JSON.parse(unauthenticated.body).type, 'https://refseg.dev/problems/unauthorized');
      const tooLarge = await postUnfinished(base, path, { 'Content-Type': 'image/png', Authorization: `Bearer ${state.acme}` }, limits.maxBodyBytes + 1);
      assert.equal(tooLarge.status, 413);
      const problem = JSON.parse(tooLarge.body);
      assert.equal(problem.type, 'https://refseg.dev/problems/payload-too-large');
      assert.equal(problem.limitBytes, limits.maxBodyBytes);
      // Declared length over the limit: refused from the header.
      const declared = await call(base, 'POST', `/v1/banks/${state.bank}/segment`, {
        token: state.acme,
        body: new Uint8Array(limits.maxBodyBytes + 1),
        headers: { 'Content-Type': 'image/png' },
      });
      expectProblem(declared, 413, 'payload-too-large');
    },
  },
  {
    name: 'segment: client → edge → gpu-node finds the generated scene\'s objects',
    async run({ base, scenes }, state) {
      const { target } = scenes;
      const res = await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, form: segmentForm(target.bytes) });
      expectOk(res);
      const r = res.body;
      assert.equal(r.cache, 'miss');
      assert.equal(r.imageId, await sha256Hex(target.bytes));
      assert.deepEqual([r.width, r.height, r.orientation], [target.width, target.height, 'applied']);
      assert.deepEqual(r.classes, ['red', 'blue']);
      assert.equal(r.bankId, state.bank);
      assert.ok(r.detections.length > 0 && r.detections.length <= 100);
      for (const [object, name] of [
        [0, 'red'],
        [1, 'red'],
        [2, 'blue'],
      ] as const) {
        const { iou, detection } = bestMatch(r.detections, name, target.masks[object]);
        assert.ok(iou > 0.9, `object ${object} found as ${name} (IoU ${iou})`);
        assert.ok(detection.score > 0.9, `object ${object} scores ${detection.score}`);
        assert.equal(detection.label, r.classes.indexOf(name));
        assert.equal(detection.area, rleArea(detection.mask));
      }
      // Best first; the three objects are the three best detections.
      const scores = r.detections.map((d: any) => d.score);
      assert.deepEqual(scores, [...scores].sort((a: number, b: number) => b - a));
      const top = r.detections.slice(0, 3).map((d: any) => Math.max(...[0, 1, 2].map((o) => rleIou([d.mask], [target.masks[o]], [0])[0][0])));
      assert.ok(top.every((iou: number) => iou > 0.9), `top detections are the objects (IoUs ${top})`);
      state.baseline = r;

      const again = json(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, form: segmentForm(target.bytes) }));
      assert.equal(again.cache, 'hit');
      assert.deepEqual(again.detections, r.detections);
    },
  },
  {
    name: 'segment: the same image against another bank makes no gpu-node call',
    async run(ctx, state) {
      const { base, scenes } = ctx;
      expectOk(await call(base, 'POST', '/v1/banks', { token: state.acme, json: { id: 'blues', name: 'Blues', classes: ['blue'] } }), 201);
      expectOk(
        await call(base, 'POST', '/v1/banks/blues/references', {
          token: state.acme,
          form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'blue', mask: scenes.reference.masks[1] }] }]),
        }),
        201,
      );
      const before = await candidateCalls(ctx);
      const res = await call(base, 'POST', '/v1/banks/blues/segment', { token: state.acme, body: scenes.target.bytes as BodyInit, headers: { 'Content-Type': 'image/png' } });
      expectOk(res);
      assert.equal(res.body.cache, 'hit');
      assert.equal(await candidateCalls(ctx), before, 'no /v1/candidates call');
      assert.ok(res.body.detections.every((d: any) => d.class === 'blue'));
      assert.ok(bestMatch(res.body.detections, 'blue', scenes.target.masks[2]).iou > 0.9);
    },
  },
  {
    name: 'segment: the edge path returns the gpu-node\'s own /v1/segment detections',
    async run({ base, gpu, scenes }, state) {
      const file = json(await call(base, 'GET', `/v1/banks/${state.bank}/export`, { token: state.acme }));
      const means = file.classes.map((c: any) => c.instances.map((i: any) => readFloat32LE(base64ToBytes(i.vector), 0, file.dim)));
      const protos = prototypes(means).normalized;
      const packed = new Float32Array(protos.length * file.dim);
      protos.forEach((p, c) => packed.set(p, c * file.dim));
      const form = new FormData();
      form.append('image', filePart(scenes.target.bytes));
      form.append('request', JSON.stringify({ classes: file.classes.map((c: any) => c.name), prototypes: bytesToBase64(toLittleEndianBytes(packed)) }));
      const direct = await fetch(`${gpu.url}/v1/segment`, { method: 'POST', headers: { Authorization: `Bearer ${gpu.secret}` }, body: form });
      assert.equal(direct.status, 200);
      const node = await direct.json();
      const edge = state.baseline;
      assert.equal(node.imageSha256, edge.imageId);
      assert.equal(node.pipelineId, edge.pipelineId);
      assert.equal(node.detections.length, edge.detections.length);
      node.detections.forEach((n: any, i: number) => {
        const e = edge.detections[i];
        assert.deepEqual(
          { class: e.class, label: e.label, box: e.box, bbox: e.bbox, area: e.area, mask: e.mask, index: e.index },
          { class: n.class, label: n.label, box: n.box, bbox: n.bbox, area: n.area, mask: n.mask, index: n.index },
          `detection ${i}`,
        );
        // The node gets the prototypes as float32; the edge keeps them in float64.
        assert.ok(Math.abs(e.score - n.score) <= 1e-6, `detection ${i}: score ${e.score} vs ${n.score}`);
      });
    },
  },
  {
    name: 'segment options: classes, thresholds, max detections, polygon and PNG masks, semantic map',
    async run({ base, scenes }, state) {
      const seg = (options: unknown) => call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, form: segmentForm(scenes.target.bytes, options) });
      const all = state.baseline.detections;

      const blue = json(await seg({ classes: ['blue'] }));
      assert.ok(blue.detections.length > 0 && blue.detections.every((d: any) => d.class === 'blue' && d.label === 1));
      expectProblem(await seg({ classes: ['purple'] }), 404, 'not-found', 'options.classes[0]');
      expectProblem(await seg({ perClassThresholds: { purple: 0.5 } }), 404, 'not-found', 'options.perClassThresholds.purple');

      const two = json(await seg({ maxDetections: 2 }));
      assert.deepEqual(two.detections, all.slice(0, 2));
      // Thresholds apply before the top-100 cut, so compare with every detection.
      const every = json(await seg({ maxDetections: 1000 })).detections;
      assert.deepEqual(every.slice(0, 100), all);
      const sure = json(await seg({ scoreThreshold: 0.5 }));
      assert.deepEqual(sure.detections, every.filter((d: any) => d.score >= 0.5).slice(0, 100));
      // A red threshold between the red scores: some red detections stay, the others go.
      const reds = every.filter((d: any) => d.class === 'red').map((d: any) => d.score);
      const redThreshold = reds[Math.floor(reds.length / 2)];
      assert.ok(redThreshold > reds[reds.length - 1], 'red scores differ');
      const strictRed = json(await seg({ perClassThresholds: { red: redThreshold } }));
      assert.deepEqual(strictRed.detections, every.filter((d: any) => d.class !== 'red' || d.score >= redThreshold).slice(0, 100));
      assert.ok(strictRed.detections.some((d: any) => d.class === 'red'));

      expectProblem(await seg({ maxDetections: 0 }), 422, 'invalid-value', 'options.maxDetections');
      expectProblem(await seg({ maskFormat: 'jpeg' }), 422, 'invalid-value', 'options.maskFormat');
      expectProblem(await seg({ colour: true }), 400, 'invalid-request');

      const polygons = json(await seg({ maskFormat: 'polygon', maxDetections: 5 }));
      polygons.detections.forEach((d: any, i: number) => {
        assert.deepEqual(d.mask.size, all[i].mask.size);
        assert.deepEqual(annToRle(d.mask.polygons, d.mask.size[0], d.mask.size[1]), all[i].mask, `polygons of detection ${i} rasterise to its mask`);
      });
      const pngs = json(await seg({ maskFormat: 'png', maxDetections: 3 }));
      for (const [i, d] of pngs.detections.entries()) {
        const png = await readMaskPng(base64ToBytes(d.mask.png));
        assert.deepEqual([png.height, png.width], all[i].mask.size);
        assert.deepEqual(png.pixels, decodeRle(all[i].mask), `PNG of detection ${i}`);
      }
      const semantic = json(await seg({ semantic: true }));
      assert.deepEqual(semantic.detections, all);
      assert.deepEqual(
        semantic.semantic.map((s: any) => s.class),
        ['red', 'blue'].filter((name) => all.some((d: any) => d.class === name)),
      );
      for (const s of semantic.semantic) {
        const mine = all.filter((d: any) => d.class === s.class).map((d: any) => d.mask);
        assert.equal(s.instances, mine.length);
        assert.deepEqual(s.mask, mine.length === 1 ? mine[0] : mergeRles(mine, false));
        assert.equal(s.area, rleArea(s.mask));
      }
      const raw = await call(base, 'POST', `/v1/banks/${state.bank}/segment?options=${encodeURIComponent(JSON.stringify({ maxDetections: 1 }))}`, {
        token: state.acme,
        body: scenes.target.bytes as BodyInit,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      assert.deepEqual(json(raw).detections, all.slice(0, 1));
      expectProblem(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, body: 'hello', headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported-media-type');
      const bmpAsPng = await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, body: scenes.bmp as BodyInit, headers: { 'Content-Type': 'image/png' } });
      expectProblem(bmpAsPng, 415, 'unsupported-media-type');
      assert.match(bmpAsPng.body.detail, /bytes are image\/bmp.*declared them as image\/png/);
      expectProblem(await call(base, 'POST', '/v1/banks/nope/segment', { token: state.acme, form: segmentForm(scenes.target.bytes) }), 404, 'not-found');
    },
  },
  {
    name: 'images: upload once, segment by imageId (any bank), tenants cannot use each other\'s',
    async run(ctx, state) {
      const { base, scenes } = ctx;
      const { target2 } = scenes;
      const up = await call(base, 'POST', '/v1/images', { token: state.acme, body: target2.bytes as BodyInit, headers: { 'Content-Type': 'image/png' } });
      expectOk(up, 201);
      assert.equal(up.body.imageId, await sha256Hex(target2.bytes));
      assert.deepEqual([up.body.width, up.body.height, up.body.orientation, up.body.cache], [target2.width, target2.height, 'applied', 'miss']);
      assert.ok(up.body.candidates > 0);
      const form = new FormData();
      form.append('image', filePart(target2.bytes));
      const again = json(await call(base, 'POST', '/v1/images', { token: state.acme, form }));
      assert.equal(again.cache, 'hit');

      const before = await candidateCalls(ctx);
      for (const bank of [state.bank, 'blues']) {
        const res = await call(base, 'POST', `/v1/banks/${bank}/segment`, { token: state.acme, json: { imageId: up.body.imageId, options: { maxDetections: 10 } } });
        expectOk(res);
        assert.equal(res.body.cache, 'hit');
        assert.ok(bestMatch(res.body.detections, 'blue', target2.masks[0]).iou > 0.9);
      }
      const byForm = new FormData();
      byForm.append('imageId', up.body.imageId);
      expectOk(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, form: byForm }));
      assert.equal(await candidateCalls(ctx), before);

      expectOk(await call(base, 'POST', '/v1/banks', { token: state.globex, json: { id: 'theirs', name: 'Theirs', classes: ['blue'] } }), 201);
      expectOk(
        await call(base, 'POST', '/v1/banks/theirs/references', {
          token: state.globex,
          form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'blue', mask: scenes.reference.masks[1] }] }]),
        }),
        201,
      );
      expectProblem(await call(base, 'POST', '/v1/banks/theirs/segment', { token: state.globex, json: { imageId: up.body.imageId } }), 404, 'not-found', 'imageId');
      expectProblem(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, json: { imageId: 'f'.repeat(64) } }), 404, 'not-found', 'imageId');
      expectProblem(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, json: { imageId: 'nope' } }), 422, 'invalid-value', 'imageId');
      expectProblem(await call(base, 'POST', '/v1/images', { token: state.acme, body: scenes.large as BodyInit, headers: { 'Content-Type': 'image/png' } }), 422, 'pixel-limit', 'body');
    },
  },
  {
    name: 'negative references damp the proposals that resemble them',
    async run({ base, scenes }, state) {
      const { target } = scenes;
      const file = json(await call(base, 'GET', `/v1/banks/${state.bank}/export`, { token: state.acme }));
      expectOk(await call(base, 'POST', '/v1/banks/import?id=with-negatives', { token: state.acme, json: file }), 201);
      // The green disc, as what neither class is.
      const negatives = ['red', 'blue'].map((className) => ({ className, mask: target.masks[3], negative: true }));
      const added = await call(base, 'POST', '/v1/banks/with-negatives/references', { token: state.acme, form: referenceForm([{ image: target.bytes, annotations: negatives }]) });
      expectOk(added, 201);
      assert.deepEqual(
        added.body.bank.classes.map((c: any) => [c.positives, c.negatives]),
        [
          [2, 1],
          [1, 1],
        ],
      );
      assert.deepEqual(
        added.body.references.map((r: any) => r.quality.basis),
        ['class-prototype', 'class-prototype'],
      );
      const damped = json(await call(base, 'POST', '/v1/banks/with-negatives/segment', { token: state.acme, form: segmentForm(target.bytes, { maxDetections: 1000 }) }));
      const plain = json(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, form: segmentForm(target.bytes, { maxDetections: 1000 }) }));
      assert.equal(damped.cache, 'hit');
      const before = new Map(plain.detections.map((d: any) => [d.index, d]));
      assert.equal(damped.detections.length, plain.detections.length, 'damping removes nothing');
      let greenDamped = 0;
      for (const d of damped.detections) {
        const p: any = before.get(d.index);
        assert.ok(p, `candidate ${d.index} kept`);
        assert.equal(d.label, p.label);
        assert.ok(d.score <= p.score, `candidate ${d.index}: ${d.score} ≤ ${p.score}`);
        const onGreen = rleIou([d.mask], [target.masks[3]], [0])[0][0] > 0.8;
        if (onGreen) {
          assert.ok(d.score < 0.5 * p.score, `green candidate ${d.index} damped: ${p.score} → ${d.score}`);
          greenDamped++;
        } else if (rleIou([d.mask], [target.masks[0]], [0])[0][0] > 0.9) {
          assert.ok(Math.abs(d.score - p.score) < 1e-9, 'a true red disc keeps its score');
        }
      }
      assert.ok(greenDamped > 0, 'some detection lies on the green disc');
    },
  },
  {
    name: 'bank files: export, import for another tenant, other models refused',
    async run({ base, scenes }, state) {
      const exported = await call(base, 'GET', `/v1/banks/${state.bank}/export`, { token: state.acme });
      expectOk(exported);
      assert.match(exported.headers.get('Content-Disposition') ?? '', /attachment; filename="colours\.refseg-bank\.json"/);
      const file = exported.body;
      assert.equal(file.format, 'refseg.bank');
      assert.deepEqual(
        file.classes.map((c: any) => [c.name, c.instances.length, c.negatives.length]),
        [
          ['red', 2, 0],
          ['blue', 1, 0],
        ],
      );
      const imported = await call(base, 'POST', '/v1/banks/import?id=copy&name=Copy', { token: state.globex, json: file });
      expectOk(imported, 201);
      assert.equal(imported.body.name, 'Copy');
      assert.equal(imported.body.referenceCount, 3);
      const theirs = json(await call(base, 'POST', '/v1/banks/copy/segment', { token: state.globex, form: segmentForm(scenes.target.bytes) }));
      assert.deepEqual(theirs.detections, state.baseline.detections);

      const other = await call(base, 'POST', '/v1/banks/import', { token: state.globex, json: { ...file, modelId: 'sam2-hiera-large+dinov2-vitl14' } });
      expectProblem(other, 409, 'model-mismatch', 'modelId');
      assert.match(other.body.detail, /sam2-hiera-large\+dinov2-vitl14/);
      assert.match(other.body.detail, new RegExp(file.modelId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      expectProblem(await call(base, 'POST', '/v1/banks/import?id=copy', { token: state.globex, json: file }), 409, 'bank-exists');
      expectProblem(await call(base, 'POST', '/v1/banks/import', { token: state.globex, json: { format: 'refseg.bank' } }), 400, 'invalid-request');
    },
  },
  {
    name: 'deleting a reference updates the bank; deleting a bank removes it',
    async run({ base, scenes }, state) {
      const refs = json(await call(base, 'GET', `/v1/banks/${state.bank}/references`, { token: state.acme })).references;
      const before = json(await call(base, 'GET', `/v1/banks/${state.bank}`, { token: state.acme }));
      expectOk(await call(base, 'DELETE', `/v1/banks/${state.bank}/references/${refs[2].id}`, { token: state.acme }), 204);
      expectProblem(await call(base, 'DELETE', `/v1/banks/${state.bank}/references/${refs[2].id}`, { token: state.acme }), 404, 'not-found');
      const after = json(await call(base, 'GET', `/v1/banks/${state.bank}`, { token: state.acme }));
      assert.equal(after.referenceCount, 2);
      assert.notEqual(after.revision, before.revision);
      assert.equal(after.classes[0].quality.meanLeaveOneOutCosine, null, 'one red reference left');
      expectOk(await call(base, 'DELETE', `/v1/banks/${state.bank}`, { token: state.acme }), 204);
      expectProblem(await call(base, 'GET', `/v1/banks/${state.bank}`, { token: state.acme }), 404, 'not-found');
      expectProblem(await call(base, 'POST', `/v1/banks/${state.bank}/segment`, { token: state.acme, form: segmentForm(scenes.target.bytes) }), 404, 'not-found');
    },
  },
];
