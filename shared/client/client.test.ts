import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError, PROBLEM_TYPE_BASE, RefsegError, toProblem } from '../errors.ts';
import { createRefsegClient, RefsegApiError } from './index.ts';
import type { BankFile, ReferenceAnnotation } from './index.ts';

/** A fetch that records each request (as the server would parse it) and answers from a queue. */
function fakeFetch(...answers: Response[]) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    const next = answers.shift();
    if (!next) throw new Error('fake fetch: no answer left');
    return next;
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests };
}

const ok = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const noContent = () => new Response(null, { status: 204 });

const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], { type: 'image/png' });
const box: ReferenceAnnotation = { className: 'mug', box: [1, 2, 30, 40] };
const maskRef: ReferenceAnnotation = { className: 'cup', mask: { size: [2, 2], counts: '02' }, negative: true };

async function bytesOf(part: FormDataEntryValue | null): Promise<number[]> {
  if (!(part instanceof Blob)) throw new Error(`expected a file part, got ${typeof part}`);
  return [...new Uint8Array(await part.arrayBuffer())];
}

describe('createRefsegClient: requests', () => {
  it('creates a bank with a JSON body, bearer auth and the base URL (trailing slash, path prefix kept)', async () => {
    const view = { id: 'b1', name: 'Shelf', classes: [] };
    const { fetch, requests } = fakeFetch(ok(view, 201));
    const client = createRefsegClient({ baseUrl: 'https://api.example.com/refseg/', apiKey: 'sk_123', fetch });
    const got = await client.createBank({ name: 'Shelf', classes: ['mug', 'cup'] }, { requestId: 'req-7' });
    expect(got).toEqual(view);
    const [req] = requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://api.example.com/refseg/v1/banks');
    expect(req.headers.get('Authorization')).toBe('Bearer sk_123');
    expect(req.headers.get('Content-Type')).toBe('application/json');
    expect(req.headers.get('X-Request-Id')).toBe('req-7');
    expect(await req.json()).toEqual({ name: 'Shelf', classes: ['mug', 'cup'] });
  });

  it('escapes ids in paths and unwraps list answers', async () => {
    const { fetch, requests } = fakeFetch(ok({ id: 'x' }), ok({ banks: [{ id: 'a' }, { id: 'b' }] }), ok({ references: [{ id: 'r1' }] }), ok({ id: 'x' }));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    await client.getBank('my bank/1');
    expect(await client.listBanks()).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(await client.listReferences('b1')).toEqual([{ id: 'r1' }]);
    await client.removeClass('b1', 'coffee mug');
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET http://h/v1/banks/my%20bank%2F1',
      'GET http://h/v1/banks',
      'GET http://h/v1/banks/b1/references',
      'DELETE http://h/v1/banks/b1/classes/coffee%20mug',
    ]);
    expect(requests[0].body).toBeNull();
    expect(requests[0].headers.get('Content-Type')).toBeNull();
  });

  it('resolves deletes (204) to undefined', async () => {
    const { fetch, requests } = fakeFetch(noContent(), noContent());
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    await expect(client.deleteBank('b1')).resolves.toBeUndefined();
    await expect(client.deleteReference('b1', 'ref:1')).resolves.toBeUndefined();
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['DELETE /v1/banks/b1', 'DELETE /v1/banks/b1/references/ref%3A1']);
  });

  it('adds classes, exports and imports bank files', async () => {
    const file: BankFile = { format: 'refseg.bank', version: 1, modelId: 'm', pipelineId: 'p', dim: 1, classes: [] };
    const { fetch, requests } = fakeFetch(ok({ id: 'b1' }), ok(file), ok({ id: 'b2' }, 201), ok({ id: 'b3' }, 201));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    await client.addClasses('b1', ['plate']);
    expect(await client.exportBank('b1')).toEqual(file);
    await client.importBank(file, { id: 'b2', name: 'Copy' });
    await client.importBank(file);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST http://h/v1/banks/b1/classes',
      'GET http://h/v1/banks/b1/export',
      'POST http://h/v1/banks/import?id=b2&name=Copy',
      'POST http://h/v1/banks/import',
    ]);
    expect(await requests[0].json()).toEqual({ classes: ['plate'] });
    expect(await requests[2].json()).toEqual(file);
  });

  it('sends references as image/annotations part pairs, in order, with the exif query', async () => {
    const { fetch, requests } = fakeFetch(ok({ bank: {}, references: [] }, 201), ok({ bank: {}, references: [] }, 201));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    await client.addReferences('b1', png, [box], { exif: 'ignore' });
    const other = new Blob([new Uint8Array([9, 8])]);
    await client.addReferenceImages('b1', [
      { image: png, annotations: [box] },
      { image: other, annotations: [maskRef, box] },
    ]);

    expect(requests[0].url).toBe('http://h/v1/banks/b1/references?exif=ignore');
    expect(requests[0].headers.get('Content-Type')).toMatch(/^multipart\/form-data; boundary=/);
    const one = await requests[0].formData();
    expect([...one.keys()]).toEqual(['image', 'annotations']);
    expect(await bytesOf(one.get('image'))).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    expect(JSON.parse(one.get('annotations') as string)).toEqual([box]);

    expect(requests[1].url).toBe('http://h/v1/banks/b1/references');
    const two = await requests[1].formData();
    expect([...two.keys()]).toEqual(['image', 'annotations', 'image', 'annotations']);
    const images = two.getAll('image');
    expect(await bytesOf(images[1])).toEqual([9, 8]);
    expect(two.getAll('annotations').map((a) => JSON.parse(a as string))).toEqual([[box], [maskRef, box]]);
  });

  it('uploads an image as the multipart part `image` with exif and preset in the query', async () => {
    const answer = { imageId: 'a'.repeat(64), candidates: 3 };
    const { fetch, requests } = fakeFetch(ok(answer, 201));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    expect(await client.uploadImage(png, { preset: 'sam2-amg', exif: 'apply' })).toEqual(answer);
    expect(requests[0].url).toBe('http://h/v1/images?exif=apply&preset=sam2-amg');
    const form = await requests[0].formData();
    expect([...form.keys()]).toEqual(['image']);
    expect(await bytesOf(form.get('image'))).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  });

  it('segments a Blob as multipart (options as a JSON part) and an imageId as a JSON body', async () => {
    const { fetch, requests } = fakeFetch(ok({ detections: [1] }), ok({ detections: [2] }), ok({ detections: [3] }), ok({ detections: [4] }));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    const options = { maxDetections: 5, classes: ['mug'], maskFormat: 'polygon' as const };
    expect((await client.segment('b1', png, options, { exif: 'ignore' })).detections).toEqual([1]);
    expect((await client.segment('b1', png)).detections).toEqual([2]);
    const imageId = 'f'.repeat(64);
    expect((await client.segment('b1', { imageId }, options)).detections).toEqual([3]);
    expect((await client.segment('b1', { imageId })).detections).toEqual([4]);

    expect(requests.map((r) => r.url)).toEqual([
      'http://h/v1/banks/b1/segment?exif=ignore',
      'http://h/v1/banks/b1/segment',
      'http://h/v1/banks/b1/segment',
      'http://h/v1/banks/b1/segment',
    ]);
    const withOptions = await requests[0].formData();
    expect([...withOptions.keys()]).toEqual(['image', 'options']);
    expect(JSON.parse(withOptions.get('options') as string)).toEqual(options);
    expect([...(await requests[1].formData()).keys()]).toEqual(['image']);
    expect(requests[2].headers.get('Content-Type')).toBe('application/json');
    expect(await requests[2].json()).toEqual({ imageId, options });
    expect(await requests[3].json()).toEqual({ imageId });
  });

  it('passes the abort signal through', async () => {
    const { fetch } = fakeFetch(ok({}));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    const controller = new AbortController();
    await client.getBank('b1', { signal: controller.signal });
    const init = vi.mocked(fetch).mock.calls[0][1];
    expect(init?.signal).toBe(controller.signal);
  });
});

describe('createRefsegClient: default fetch', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('calls the global fetch with globalThis as `this` (browsers throw Illegal invocation otherwise)', async () => {
    const receivers: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      function (this: unknown) {
        receivers.push(this);
        return Promise.resolve(ok({ banks: [] }));
      },
    );
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k' });
    expect(await client.listBanks()).toEqual([]);
    expect(receivers).toEqual([globalThis]);
  });
});

describe('createRefsegClient: errors', () => {
  it('throws RefsegApiError carrying the problem+json body', async () => {
    const problem = toProblem(new NotFoundError('bank', 'nope', { field: 'bankId' }), 'req-42');
    const { fetch } = fakeFetch(new Response(JSON.stringify(problem.body), { status: problem.status, headers: problem.headers }));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    const err = await client.getBank('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefsegApiError);
    expect(err).toBeInstanceOf(RefsegError);
    const e = err as RefsegApiError;
    expect(e.status).toBe(404);
    expect(e.type).toBe(`${PROBLEM_TYPE_BASE}not-found`);
    expect(e.title).toBe('Not found');
    expect(e.detail).toBe('No bank with id "nope".');
    expect(e.message).toBe('No bank with id "nope".');
    expect(e.field).toBe('bankId');
    expect(e.requestId).toBe('req-42');
    expect(e.extra).toEqual({ resource: 'bank', id: 'nope' });
    expect(e.problem).toEqual(problem.body);
    expect(e.retryAfterSeconds).toBeUndefined();
    // Rendered again (e.g. by a server that used the client), it is the same problem.
    expect(toProblem(e, 'req-42').body).toEqual(problem.body);
  });

  it('reads Retry-After and keeps extra problem members', async () => {
    const body = { type: `${PROBLEM_TYPE_BASE}unavailable`, title: 'Service unavailable', status: 503, detail: 'No gpu-node.', requestId: 'r', retryAfter: 10 };
    const { fetch } = fakeFetch(new Response(JSON.stringify(body), { status: 503, headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '10' } }));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    const e = (await client.uploadImage(png).catch((x: unknown) => x)) as RefsegApiError;
    expect(e.status).toBe(503);
    expect(e.retryAfterSeconds).toBe(10);
    expect(e.extra).toEqual({ retryAfter: 10 });
    expect(e.field).toBeUndefined();
  });

  it('turns a non-problem answer (a proxy page) into an unexpected-response problem', async () => {
    const { fetch } = fakeFetch(new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'edge-1' } }));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    const e = (await client.listBanks().catch((x: unknown) => x)) as RefsegApiError;
    expect(e).toBeInstanceOf(RefsegApiError);
    expect(e.status).toBe(502);
    expect(e.type).toBe(`${PROBLEM_TYPE_BASE}unexpected-response`);
    expect(e.title).toBe('Bad Gateway');
    expect(e.detail).toBe('HTTP 502 without a problem document: <html>Bad Gateway</html>');
    expect(e.requestId).toBe('edge-1');
  });

  it('keeps a foreign problem type in the problem body and trusts the HTTP status over the body', async () => {
    const body = { type: 'about:blank', title: 'Too Many Requests', status: 400, detail: 'Slow down.', field: 42 };
    const { fetch } = fakeFetch(new Response(JSON.stringify(body), { status: 429, headers: { 'Content-Type': 'application/problem+json' } }));
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch });
    const e = (await client.listBanks().catch((x: unknown) => x)) as RefsegApiError;
    expect(e.status).toBe(429);
    expect(e.type).toBe(`${PROBLEM_TYPE_BASE}unexpected-response`);
    expect(e.problem.type).toBe('about:blank');
    expect(e.problem.status).toBe(429);
    expect(e.detail).toBe('Slow down.');
    expect(e.field).toBeUndefined();
    expect(e.requestId).toBe('');
  });

  it('lets network failures through unchanged', async () => {
    const failure = new TypeError('fetch failed');
    const client = createRefsegClient({ baseUrl: 'http://h', apiKey: 'k', fetch: () => Promise.reject(failure) });
    await expect(client.listBanks()).rejects.toBe(failure);
  });
});
