// The hostile client's list: requests a tenant (or a stranger) can send that must each get a
// clear refusal. Every case states the statuses it accepts (the exact problem type is the API
// suite's business; here the invariants matter: 4xx not 5xx, one problem+json, nothing internal,
// the server alive, the bank unchanged — see hostile.test.ts). A case with `statuses` omitted
// accepts any 4xx. Cases that are not requests with an answer (bodies cut short on the wire)
// are in `wireCases`.
import { connect } from 'node:net';
import { call, filePart, referenceForm, segmentForm } from '../edge/harness/client.ts';
import type { ApiResponse, RequestOptions } from '../edge/harness/client.ts';
import { postUnfinished } from '../edge/harness/raw-http.ts';
import type { EarlyAnswer } from '../edge/harness/raw-http.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { CANDIDATE_SET_MEDIA_TYPE, encodeCandidateSet } from '../../shared/wire/index.ts';
import { ADMIN_KEY } from './world.ts';

export interface BadInputContext {
  base: string;
  /** Tenant A's key and bank; tenant B's key. */
  a: string;
  b: string;
  bank: string;
  /** A key of tenant A that was revoked. */
  revoked: string;
  scenes: TestScenes;
}

export interface BadInput {
  name: string;
  statuses?: readonly number[];
  send(ctx: BadInputContext): Promise<ApiResponse>;
}

const enc = new TextEncoder();

/** A raw body with a given Content-Type (fetch sends it as is). */
const raw = (ctx: BadInputContext, method: string, path: string, body: BodyInit | undefined, type: string | null, token: string | null = ctx.a) =>
  call(ctx.base, method, path, { token, body, headers: type === null ? {} : { 'Content-Type': type } });

const json = (ctx: BadInputContext, method: string, path: string, text: string, token: string | null = ctx.a) => raw(ctx, method, path, text, 'application/json', token);

const refs = (ctx: BadInputContext) => `/v1/banks/${ctx.bank}/references`;
const seg = (ctx: BadInputContext) => `/v1/banks/${ctx.bank}/segment`;
const segSet = (ctx: BadInputContext) => `/v1/banks/${ctx.bank}/segment-candidates`;

/** A well-formed empty candidate set of a model no node serves, its count field then set to `count`. */
function claimingCandidates(count: number): BodyInit {
  const bytes = encodeCandidateSet({ imageSha256: '0'.repeat(64), width: 8, height: 6, modelId: 'no-such-model', pipelineId: 'official/v1', dim: 4, candidates: [] });
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(52, count, true);
  return bytes as Uint8Array<ArrayBuffer>;
}

/** One reference form whose annotations are `annotations` (any JSON-able value or raw text). */
const addRef = (ctx: BadInputContext, annotations: unknown, image?: Uint8Array) =>
  call(ctx.base, 'POST', refs(ctx), { token: ctx.a, form: referenceForm([{ image: image ?? ctx.scenes.reference.bytes, annotations }]) });

const addRefText = (ctx: BadInputContext, annotationsText: string) => {
  const form = new FormData();
  form.append('image', filePart(ctx.scenes.reference.bytes));
  form.append('annotations', annotationsText);
  return call(ctx.base, 'POST', refs(ctx), { token: ctx.a, form });
};

const segWith = (ctx: BadInputContext, options: unknown) => call(ctx.base, 'POST', seg(ctx), { token: ctx.a, form: segmentForm(ctx.scenes.target.bytes, options) });

const multipart = (ctx: BadInputContext, path: string, body: string, boundary: string | null) =>
  raw(ctx, 'POST', path, body, boundary === null ? 'multipart/form-data' : `multipart/form-data; boundary=${boundary}`);

/** The reference PNG with its IHDR claiming width × height (the CRC no longer matches). */
function pngClaiming(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = png.slice();
  new DataView(out.buffer).setUint32(16, width);
  new DataView(out.buffer).setUint32(20, height);
  return out;
}

export const manyKeys = () => JSON.stringify({ name: 'x', classes: ['a'], ...Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])) });

/**
 * The answer to a request whose body is never finished: with a Content-Length header, the head
 * alone; else `bytes` chunked body bytes (test/edge/harness/raw-http.ts).
 */
async function early(ctx: BadInputContext, path: string, headers: Record<string, string>, bytes: number): Promise<ApiResponse> {
  const all = { Authorization: `Bearer ${ctx.a}`, ...headers };
  const answer = 'Content-Length' in headers ? await headOnly(ctx.base, path, all) : await postUnfinished(ctx.base, path, all, bytes);
  const type = answer.headers['content-type'] ?? '';
  return { status: answer.status, headers: new Headers(answer.headers), body: type.includes('json') ? JSON.parse(answer.body) : answer.body };
}

function headOnly(base: string, path: string, headers: Record<string, string>): Promise<EarlyAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 10 s')), 10_000);
    const parse = () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return null;
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      const hs = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const body = received.slice(end + 4);
      if (body.length < Number(hs['content-length'] ?? 0)) return null;
      return { status: Number(statusLine.split(' ')[1]), headers: hs, body, sent: 0 };
    };
    socket.on('data', (b: Buffer) => {
      received += b.toString('latin1');
      const answer = parse();
      if (answer) {
        clearTimeout(timer);
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

const mask = (ctx: BadInputContext) => ctx.scenes.reference.masks[0];
const AUTH = 'Authorization';

const tenantRoutes = (ctx: BadInputContext): [string, string, RequestOptions][] => [
  ['GET', '/v1/banks', {}],
  ['POST', '/v1/banks', { json: { name: 'x', classes: ['a'] } }],
  ['GET', `/v1/banks/${ctx.bank}`, {}],
  ['DELETE', `/v1/banks/${ctx.bank}`, {}],
  ['POST', refs(ctx), { form: referenceForm([{ image: ctx.scenes.reference.bytes, annotations: [{ className: 'red', mask: mask(ctx) }] }]) }],
  ['GET', refs(ctx), {}],
  ['POST', seg(ctx), { form: segmentForm(ctx.scenes.target.bytes) }],
  ['POST', '/v1/images', { body: ctx.scenes.target.bytes as BodyInit, headers: { 'Content-Type': 'image/png' } }],
  ['GET', `/v1/banks/${ctx.bank}/export`, {}],
  ['POST', `/v1/banks/${ctx.bank}/classes`, { json: { classes: ['green'] } }],
];

export const badInputs: BadInput[] = [
  // ---- authentication -----------------------------------------------------------------------
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(
    (i): BadInput => ({
      name: `no credentials: tenant route #${i}`,
      statuses: [401],
      send: (ctx) => {
        const [method, path, options] = tenantRoutes(ctx)[i];
        return call(ctx.base, method, path, { ...options, token: null });
      },
    }),
  ),
  ...(
    [
      ['Bearer with nothing after it', 'Bearer'],
      ['Bearer and a space', 'Bearer '],
      ['Basic scheme', `Basic ${btoa('tenant-a:secret')}`],
      ['a key of the right prefix, too short', 'Bearer rsk_0123'],
      ['a well-formed key nobody issued', `Bearer rsk_${'ab'.repeat(32)}`],
      ['a 6 KB token', `Bearer rsk_${'a'.repeat(6000)}`],
      ['two tokens', `Bearer rsk_${'ab'.repeat(32)} rsk_${'cd'.repeat(32)}`],
      ['lower-case scheme and tab', `bearer\trsk_${'ab'.repeat(32)}`],
    ] as const
  ).map(([name, value]): BadInput => ({ name: `bad credentials: ${name}`, statuses: [400, 401], send: (ctx) => call(ctx.base, 'GET', `/v1/banks/${ctx.bank}`, { headers: { [AUTH]: value } }) })),
  { name: 'a revoked key', statuses: [401], send: (ctx) => call(ctx.base, 'GET', `/v1/banks/${ctx.bank}`, { token: ctx.revoked }) },
  { name: 'the admin key on a tenant route', statuses: [403], send: (ctx) => call(ctx.base, 'GET', `/v1/banks/${ctx.bank}`, { token: ADMIN_KEY }) },
  { name: 'a tenant key on an admin route', statuses: [403], send: (ctx) => call(ctx.base, 'GET', '/v1/admin/keys?tenant=tenant-a', { token: ctx.a }) },
  { name: 'a tenant key creating a key for itself', statuses: [403], send: (ctx) => call(ctx.base, 'POST', '/v1/admin/keys', { token: ctx.a, json: { tenant: 'tenant-a' } }) },
  { name: 'admin: key for an invalid tenant name', statuses: [400, 422], send: (ctx) => call(ctx.base, 'POST', '/v1/admin/keys', { token: ADMIN_KEY, json: { tenant: '../tenant-a' } }) },
  { name: 'admin: key for a 10 000-character tenant', statuses: [400, 413, 422], send: (ctx) => call(ctx.base, 'POST', '/v1/admin/keys', { token: ADMIN_KEY, json: { tenant: 't'.repeat(10_000) } }) },
  { name: 'admin: revoke a malformed key id', statuses: [400, 404, 422], send: (ctx) => call(ctx.base, 'DELETE', '/v1/admin/keys/..%2F..%2Fbanks', { token: ADMIN_KEY }) },

  // ---- another tenant's bank ----------------------------------------------------------------
  ...(
    [
      ['GET', ''],
      ['DELETE', ''],
      ['GET', '/references'],
      ['GET', '/export'],
      ['DELETE', '/classes/red'],
      ['DELETE', '/references/ref_0000000000000000'],
    ] as const
  ).map(([method, suffix]): BadInput => ({ name: `tenant B: ${method} A's bank${suffix}`, statuses: [404], send: (ctx) => call(ctx.base, method, `/v1/banks/${ctx.bank}${suffix}`, { token: ctx.b }) })),
  { name: 'tenant B: add classes to A\'s bank', statuses: [404], send: (ctx) => call(ctx.base, 'POST', `/v1/banks/${ctx.bank}/classes`, { token: ctx.b, json: { classes: ['green'] } }) },
  {
    name: 'tenant B: add a reference to A\'s bank',
    statuses: [404],
    send: (ctx) => call(ctx.base, 'POST', refs(ctx), { token: ctx.b, form: referenceForm([{ image: ctx.scenes.reference.bytes, annotations: [{ className: 'red', mask: mask(ctx) }] }]) }),
  },
  { name: 'tenant B: segment with A\'s bank', statuses: [404], send: (ctx) => call(ctx.base, 'POST', seg(ctx), { token: ctx.b, form: segmentForm(ctx.scenes.target.bytes) }) },

  // ---- ids in paths ---------------------------------------------------------------------------
  ...['a'.repeat(65), '..', '%2E%2E%2F', 'bank%00x', 'bank%2Fother', 'b%C3%A4nk', '__proto__', 'constructor', '%ZZ', 'x'.repeat(3000)].map(
    (id): BadInput => ({ name: `bank id "${id.slice(0, 24)}${id.length > 24 ? '…' : ''}"`, statuses: [400, 404, 414, 422], send: (ctx) => call(ctx.base, 'GET', `/v1/banks/${id}`, { token: ctx.a }) }),
  ),
  { name: 'reference id of the wrong form', statuses: [400, 404, 422], send: (ctx) => call(ctx.base, 'DELETE', `/v1/banks/${ctx.bank}/references/..%2F..`, { token: ctx.a }) },
  { name: 'class name of 10 000 characters in a path', statuses: [400, 404, 414, 422], send: (ctx) => call(ctx.base, 'DELETE', `/v1/banks/${ctx.bank}/classes/${'c'.repeat(10_000)}`, { token: ctx.a }) },
  { name: 'unknown method on a collection', statuses: [404, 405], send: (ctx) => call(ctx.base, 'PUT', '/v1/banks', { token: ctx.a, json: {} }) },
  { name: 'unknown route', statuses: [404], send: (ctx) => call(ctx.base, 'GET', '/v1/../../etc/passwd', { token: ctx.a }) },

  // ---- JSON bodies: POST /v1/banks ----------------------------------------------------------
  ...(
    [
      ['malformed JSON', '{"name":'],
      ['empty body', ''],
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"bank"'],
      ['a number', '123'],
      ['NaN literal', '{"name":"x","classes":["a"],"extra":NaN}'],
      ['name is a number', '{"name":1,"classes":["a"]}'],
      ['classes is a string', '{"name":"x","classes":"a"}'],
      ['a class is a number', '{"name":"x","classes":[1]}'],
      ['a class is empty', '{"name":"x","classes":[""]}'],
      ['a class of 5000 characters', JSON.stringify({ name: 'x', classes: ['c'.repeat(5000)] })],
      ['duplicate classes', '{"name":"x","classes":["a","a"]}'],
      ['an unknown member', '{"name":"x","classes":["a"],"admin":true}'],
      ['__proto__ member', '{"name":"x","classes":["a"],"__proto__":{"admin":true}}'],
      ['id with a slash', '{"id":"a/b","name":"x","classes":["a"]}'],
      ['id of the existing bank', '{"id":"shapes","name":"x","classes":["a"]}'],
      ['1e400 as a name', '{"name":1e400,"classes":["a"]}'],
      ['deeply nested arrays', `{"name":"x","classes":${'['.repeat(5000)}${']'.repeat(5000)}}`],
      ['unclosed nesting 100 000 deep', '['.repeat(100_000)],
      ['invalid UTF-8', '\uFFFD'],
    ] as const
  ).map(([name, text]): BadInput => ({ name: `create bank: ${name}`, statuses: [400, 409, 413, 415, 422], send: (ctx) => json(ctx, 'POST', '/v1/banks', text) })),
  { name: 'create bank: 20 000 unknown keys', statuses: [400, 413, 422], send: (ctx) => json(ctx, 'POST', '/v1/banks', manyKeys()) },
  { name: 'create bank: bytes that are not UTF-8', statuses: [400, 422], send: (ctx) => raw(ctx, 'POST', '/v1/banks', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) as BodyInit, 'application/json') },
  { name: 'create bank: text/plain', statuses: [415], send: (ctx) => raw(ctx, 'POST', '/v1/banks', '{"name":"x","classes":["a"]}', 'text/plain') },
  { name: 'create bank: no Content-Type', statuses: [400, 415], send: (ctx) => raw(ctx, 'POST', '/v1/banks', enc.encode('{"name":"x","classes":["a"]}') as BodyInit, null) },
  // fetch reads no answer before its upload ends, and a server that refuses a body stops reading
  // it: these two go over a plain socket that reads while it sends (as curl does).
  { name: 'create bank: a chunked body over the size limit', statuses: [413], send: (ctx) => early(ctx, '/v1/banks', { 'Content-Type': 'application/json' }, 2_000_001) },
  { name: 'add classes: not an array', statuses: [400, 422], send: (ctx) => json(ctx, 'POST', `/v1/banks/${ctx.bank}/classes`, '{"classes":{"0":"x"}}') },
  { name: 'add classes: an existing class', statuses: [409, 422], send: (ctx) => json(ctx, 'POST', `/v1/banks/${ctx.bank}/classes`, '{"classes":["red"]}') },
  { name: 'import: not a bank file', statuses: [400, 422], send: (ctx) => json(ctx, 'POST', '/v1/banks/import', '{"format":"refseg.bank","version":2}') },
  { name: 'import: bad id in the query', statuses: [400, 422], send: (ctx) => json(ctx, 'POST', '/v1/banks/import?id=a%2Fb', '{}') },
  {
    name: 'import: a vector that is not base64 and a negative dim',
    statuses: [400, 422],
    send: (ctx) => json(ctx, 'POST', '/v1/banks/import', JSON.stringify({ format: 'refseg.bank', version: 1, dim: -4, modelId: 'm', pipelineId: 'p', classes: [{ name: 'a', instances: [{ vector: '%%%' }], negatives: [] }] })),
  },

  // ---- multipart: references ----------------------------------------------------------------
  { name: 'references: JSON instead of multipart', statuses: [415], send: (ctx) => json(ctx, 'POST', refs(ctx), '[]') },
  { name: 'references: multipart without a boundary', statuses: [400, 415], send: (ctx) => multipart(ctx, refs(ctx), '--x\r\n\r\n--x--\r\n', null) },
  { name: 'references: boundary that never appears', statuses: [400, 422], send: (ctx) => multipart(ctx, refs(ctx), 'garbage without any boundary', 'abc') },
  {
    name: 'references: multipart cut before its closing boundary',
    statuses: [400, 422],
    send: (ctx) => multipart(ctx, refs(ctx), '--abc\r\nContent-Disposition: form-data; name="annotations"\r\n\r\n[{"className":"red","box":[1,1,5,5]}]', 'abc'),
  },
  {
    name: 'references: a part without Content-Disposition',
    statuses: [400, 422],
    send: (ctx) => multipart(ctx, refs(ctx), '--abc\r\nContent-Type: text/plain\r\n\r\nhello\r\n--abc--\r\n', 'abc'),
  },
  { name: 'references: no parts at all', statuses: [400, 422], send: (ctx) => multipart(ctx, refs(ctx), '--abc--\r\n', 'abc') },
  {
    name: 'references: annotations without an image',
    statuses: [400, 422],
    send: (ctx) => {
      const form = new FormData();
      form.append('annotations', JSON.stringify([{ className: 'red', box: [1, 1, 5, 5] }]));
      return call(ctx.base, 'POST', refs(ctx), { token: ctx.a, form });
    },
  },
  {
    name: 'references: an image without annotations',
    statuses: [400, 422],
    send: (ctx) => {
      const form = new FormData();
      form.append('image', filePart(ctx.scenes.reference.bytes));
      return call(ctx.base, 'POST', refs(ctx), { token: ctx.a, form });
    },
  },
  {
    name: 'references: two images, one annotations part',
    statuses: [400, 422],
    send: (ctx) => {
      const form = referenceForm([{ image: ctx.scenes.reference.bytes, annotations: [{ className: 'red', mask: mask(ctx) }] }]);
      form.append('image', filePart(ctx.scenes.reference2.bytes));
      return call(ctx.base, 'POST', refs(ctx), { token: ctx.a, form });
    },
  },
  {
    name: 'references: image part sent as text',
    statuses: [400, 415, 422],
    send: (ctx) => {
      const form = new FormData();
      form.append('image', 'not a file');
      form.append('annotations', JSON.stringify([{ className: 'red', mask: mask(ctx) }]));
      return call(ctx.base, 'POST', refs(ctx), { token: ctx.a, form });
    },
  },
  { name: 'references: annotations not JSON', statuses: [400, 422], send: (ctx) => addRefText(ctx, '[{className: red}]') },
  { name: 'references: annotations an object', statuses: [400, 422], send: (ctx) => addRef(ctx, { className: 'red', mask: mask(ctx) }) },
  { name: 'references: annotations empty', statuses: [400, 422], send: (ctx) => addRef(ctx, []) },
  { name: 'references: NaN in a box', statuses: [400, 422], send: (ctx) => addRefText(ctx, '[{"className":"red","box":[NaN,1,5,5]}]') },
  { name: 'references: 1e400 in a box', statuses: [400, 422], send: (ctx) => addRefText(ctx, '[{"className":"red","box":[1e400,1,5,5]}]') },
  { name: 'references: box as strings', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: ['1', '1', '5', '5'] }]) },
  { name: 'references: box with three numbers', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5] }]) },
  { name: 'references: box outside the image', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [5000, 5000, 10, 10] }]) },
  { name: 'references: box of 1e308', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [0, 0, 1e308, 1e308] }]) },
  { name: 'references: className a number', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 7, box: [1, 1, 5, 5] }]) },
  { name: 'references: className __proto__', statuses: [404, 422], send: (ctx) => addRef(ctx, [{ className: '__proto__', box: [1, 1, 5, 5] }]) },
  { name: 'references: className constructor', statuses: [404, 422], send: (ctx) => addRef(ctx, [{ className: 'constructor', box: [1, 1, 5, 5] }]) },
  { name: 'references: negative not a boolean', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: mask(ctx), negative: 'yes' }]) },
  { name: 'references: no mask, polygons or box', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red' }]) },
  { name: 'RLE: counts with characters outside the alphabet', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [240, 320], counts: '\u0000\u0001' } }]) },
  { name: 'RLE: counts that overrun the size', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [240, 320], counts: [76_800, 76_800] } }]) },
  { name: 'RLE: negative run', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [240, 320], counts: [-5, 76_805] } }]) },
  { name: 'RLE: size 0×0', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [0, 0], counts: [] } }]) },
  { name: 'RLE: negative size', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [-240, 320], counts: '' } }]) },
  { name: 'RLE: size 1e9 × 1e9', statuses: [400, 413, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [1e9, 1e9], counts: [1e18] } }]) },
  { name: 'RLE: fractional size', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [240.5, 320], counts: [76_960] } }]) },
  { name: 'RLE: counts neither string nor array', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [240, 320], counts: { a: 1 } } }]) },
  { name: 'RLE: size of another image', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: ctx.scenes.reference2.masks[0] }]) },
  { name: 'RLE: an all-empty mask', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', mask: { size: [240, 320], counts: [76_800] } }]) },
  { name: 'polygons: odd number of coordinates', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', polygons: [[1, 2, 3, 4, 5]] }]) },
  { name: 'polygons: empty list', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', polygons: [] }]) },
  { name: 'polygons: strings', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', polygons: [['1', '2', '3', '4', '5', '6']] }]) },
  { name: 'polygons: all outside the image', statuses: [400, 422], send: (ctx) => addRef(ctx, [{ className: 'red', polygons: [[-50, -50, -10, -50, -10, -10]] }]) },

  // ---- images -------------------------------------------------------------------------------
  { name: 'image: text bytes labelled image/png', statuses: [400, 415, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5, 5] }], enc.encode('hello, I am not a PNG')) },
  { name: 'image: a truncated PNG', statuses: [400, 415, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5, 5] }], ctx.scenes.reference.bytes.slice(0, 100)) },
  { name: 'image: zero bytes', statuses: [400, 415, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5, 5] }], new Uint8Array(0)) },
  { name: 'image: PNG header claiming 100 000 × 100 000', statuses: [400, 413, 415, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5, 5] }], pngClaiming(ctx.scenes.reference.bytes, 100_000, 100_000)) },
  { name: 'image: PNG header claiming 0 × 0', statuses: [400, 415, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5, 5] }], pngClaiming(ctx.scenes.reference.bytes, 0, 0)) },
  { name: 'image: over the pixel limit', statuses: [413, 422], send: (ctx) => addRef(ctx, [{ className: 'red', box: [1, 1, 5, 5] }], ctx.scenes.large) },
  { name: 'image: POST /v1/images with text', statuses: [400, 415, 422], send: (ctx) => raw(ctx, 'POST', '/v1/images', 'not an image', 'image/png') },
  { name: 'image: POST /v1/images with no body', statuses: [400, 415, 422], send: (ctx) => raw(ctx, 'POST', '/v1/images', undefined, 'image/png') },

  // ---- segment ------------------------------------------------------------------------------
  { name: 'segment: neither image nor imageId', statuses: [400, 422], send: (ctx) => json(ctx, 'POST', seg(ctx), '{}') },
  {
    name: 'segment: both image and imageId',
    statuses: [400, 422],
    send: (ctx) => {
      const form = segmentForm(ctx.scenes.target.bytes);
      form.append('imageId', 'a'.repeat(64));
      return call(ctx.base, 'POST', seg(ctx), { token: ctx.a, form });
    },
  },
  { name: 'segment: imageId not hex', statuses: [400, 422], send: (ctx) => json(ctx, 'POST', seg(ctx), '{"imageId":"../../etc/passwd"}') },
  { name: 'segment: imageId nobody sent', statuses: [404], send: (ctx) => json(ctx, 'POST', seg(ctx), JSON.stringify({ imageId: '0'.repeat(64) })) },
  {
    name: 'segment: options not JSON',
    statuses: [400, 422],
    send: (ctx) => {
      const form = new FormData();
      form.append('image', filePart(ctx.scenes.target.bytes));
      form.append('options', '{maxDetections: 5');
      return call(ctx.base, 'POST', seg(ctx), { token: ctx.a, form });
    },
  },
  { name: 'segment: unknown option', statuses: [400, 422], send: (ctx) => segWith(ctx, { explode: true }) },
  { name: 'segment: maxDetections -1', statuses: [400, 422], send: (ctx) => segWith(ctx, { maxDetections: -1 }) },
  { name: 'segment: maxDetections 1e12', statuses: [400, 422], send: (ctx) => segWith(ctx, { maxDetections: 1e12 }) },
  { name: 'segment: maxDetections 2.5', statuses: [400, 422], send: (ctx) => segWith(ctx, { maxDetections: 2.5 }) },
  { name: 'segment: maxDetections as a string', statuses: [400, 422], send: (ctx) => segWith(ctx, { maxDetections: '10' }) },
  // ---- segment-candidates (a set made on the device) ----------------------------------------
  { name: 'segment-candidates: random bytes', statuses: [422], send: (ctx) => raw(ctx, 'POST', segSet(ctx), crypto.getRandomValues(new Uint8Array(300)), CANDIDATE_SET_MEDIA_TYPE) },
  { name: 'segment-candidates: header claims 2^32−1 candidates', statuses: [422], send: (ctx) => raw(ctx, 'POST', segSet(ctx), claimingCandidates(0xffffffff), CANDIDATE_SET_MEDIA_TYPE) },
  { name: 'segment-candidates: a PNG as the set', statuses: [415], send: (ctx) => raw(ctx, 'POST', segSet(ctx), ctx.scenes.target.bytes as BodyInit, 'image/png') },
  { name: 'segment-candidates: a set of another model', statuses: [409], send: (ctx) => raw(ctx, 'POST', segSet(ctx), claimingCandidates(0), CANDIDATE_SET_MEDIA_TYPE) },
  { name: 'tenant B: segment-candidates with A\'s bank', statuses: [404], send: (ctx) => raw(ctx, 'POST', segSet(ctx), claimingCandidates(0), CANDIDATE_SET_MEDIA_TYPE, ctx.b) },
  { name: 'segment: scoreThreshold 2', statuses: [400, 422], send: (ctx) => segWith(ctx, { scoreThreshold: 2 }) },
  { name: 'segment: scoreThreshold -0.5', statuses: [400, 422], send: (ctx) => segWith(ctx, { scoreThreshold: -0.5 }) },
  { name: 'segment: an unknown class', statuses: [400, 404, 422], send: (ctx) => segWith(ctx, { classes: ['purple'] }) },
  { name: 'segment: classes not an array', statuses: [400, 422], send: (ctx) => segWith(ctx, { classes: 'red' }) },
  { name: 'segment: mask format svg', statuses: [400, 422], send: (ctx) => segWith(ctx, { maskFormat: 'svg' }) },
  { name: 'segment: per-class threshold for __proto__', statuses: [400, 404, 422], send: (ctx) => segWith(ctx, { perClassThresholds: { __proto__: 0.5, purple: 0.2 } }) },
  { name: 'segment: per-class threshold NaN-like', statuses: [400, 422], send: (ctx) => segWith(ctx, { perClassThresholds: { red: 'NaN' } }) },
  { name: 'segment: a BMP', statuses: [415], send: (ctx) => raw(ctx, 'POST', seg(ctx), ctx.scenes.bmp as BodyInit, 'image/bmp') },
  { name: 'segment: raw image/png of text', statuses: [400, 415, 422], send: (ctx) => raw(ctx, 'POST', seg(ctx), 'plain text', 'image/png') },
  { name: 'segment: raw image/png empty', statuses: [400, 415, 422], send: (ctx) => raw(ctx, 'POST', seg(ctx), new Uint8Array(0) as BodyInit, 'image/png') },
  { name: 'segment: unsupported Content-Type', statuses: [415], send: (ctx) => raw(ctx, 'POST', seg(ctx), 'a=b', 'application/x-www-form-urlencoded') },
  { name: 'segment: declared body over the limit', statuses: [413], send: (ctx) => early(ctx, seg(ctx), { 'Content-Type': 'image/png', 'Content-Length': '2000001' }, 0) },
];

export interface WireCase {
  name: string;
  /** Sends bytes over a plain socket and hangs up without waiting for an answer. */
  send(ctx: BadInputContext): Promise<void>;
}

/** Writes `text` on a fresh connection, waits `lingerMs`, and closes it. */
function sendAndHangUp(base: string, head: string, body: Uint8Array, lingerMs = 150): Promise<void> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(head);
      socket.write(body);
      setTimeout(() => socket.destroy(), lingerMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

function multipartHead(path: string, host: string, token: string, contentLength: number): string {
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=abc\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

export const wireCases: WireCase[] = [
  {
    name: 'a reference upload cut off mid-image (Content-Length larger than what is sent)',
    send: (ctx) => {
      const body = enc.encode(`--abc\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`);
      const part = new Uint8Array([...body, ...ctx.scenes.reference.bytes.slice(0, 500)]);
      return sendAndHangUp(ctx.base, multipartHead(refs(ctx), new URL(ctx.base).host, ctx.a, part.length + 50_000), part);
    },
  },
  {
    name: 'a complete-looking reference upload whose closing boundary never comes',
    send: (ctx) => {
      const text = `--abc\r\nContent-Disposition: form-data; name="annotations"\r\n\r\n${JSON.stringify([{ className: 'red', mask: mask(ctx) }])}\r\n--abc\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
      const part = new Uint8Array([...enc.encode(text), ...ctx.scenes.reference.bytes]);
      return sendAndHangUp(ctx.base, multipartHead(refs(ctx), new URL(ctx.base).host, ctx.a, part.length + 10), part);
    },
  },
  {
    name: 'a chunked bank creation cut off mid-chunk',
    send: (ctx) =>
      sendAndHangUp(
        ctx.base,
        `POST /v1/banks HTTP/1.1\r\nHost: ${new URL(ctx.base).host}\r\nAuthorization: Bearer ${ctx.a}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
        enc.encode('40\r\n{"id":"cut","name":"x","classes":["a"]'),
      ),
  },
  {
    name: 'a request head that stops after the request line',
    send: (ctx) => sendAndHangUp(ctx.base, `GET /v1/banks/${ctx.bank} HTTP/1.1\r\n`, new Uint8Array(0)),
  },
  {
    name: 'binary garbage instead of HTTP',
    send: (ctx) => sendAndHangUp(ctx.base, '', crypto.getRandomValues(new Uint8Array(4096))),
  },
];
