import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RleFormatError } from './coco-mask/index.ts';
import {
  BadRequestError,
  ConflictError,
  EmptyReferenceError,
  ForbiddenError,
  InternalError,
  InvalidEncodingError,
  MalformedBoxError,
  MalformedPolygonError,
  MalformedRleError,
  ModelMismatchError,
  NotFoundError,
  PayloadTooLargeError,
  PixelLimitError,
  RefsegError,
  ServiceUnavailableError,
  toProblem,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
  WireFormatError,
} from './errors.ts';

const base = 'https://refseg.dev/problems/';

describe('error hierarchy', () => {
  const cases: [RefsegError, number, string, string][] = [
    [new BadRequestError('no image part'), 400, 'bad-request', 'Bad request'],
    [new InvalidEncodingError('bad base64'), 400, 'invalid-encoding', 'Invalid encoding'],
    [new ValidationError([{ path: 'a', message: 'm', code: 'custom' }]), 400, 'invalid-request', 'Invalid request'],
    [new ValidationError([{ path: 'a', message: 'm', code: 'custom' }], { status: 422 }), 422, 'invalid-value', 'Invalid request'],
    [new UnauthorizedError(), 401, 'unauthorized', 'Unauthorized'],
    [new ForbiddenError(), 403, 'forbidden', 'Forbidden'],
    [new NotFoundError('bank', 'b1'), 404, 'not-found', 'Not found'],
    [new PayloadTooLargeError(1024), 413, 'payload-too-large', 'Payload too large'],
    [new UnsupportedMediaTypeError('text/plain', ['image/jpeg', 'image/png']), 415, 'unsupported-media-type', 'Unsupported media type'],
    [new UnprocessableError('cannot'), 422, 'unprocessable', 'Unprocessable input'],
    [new PixelLimitError(10000, 10000, 50_000_000), 422, 'pixel-limit', 'Image too large'],
    [new MalformedRleError('bad'), 422, 'malformed-rle', 'Malformed RLE mask'],
    [new MalformedPolygonError('bad'), 422, 'malformed-polygon', 'Malformed polygon'],
    [new MalformedBoxError('bad'), 422, 'malformed-box', 'Malformed box'],
    [new EmptyReferenceError(), 422, 'empty-reference', 'Reference covers no patch'],
    [new ConflictError('exists'), 409, 'conflict', 'Conflict'],
    [new ModelMismatchError('a', 'b'), 409, 'model-mismatch', 'Model mismatch'],
    [new InternalError(), 500, 'internal', 'Internal error'],
    [new UpstreamError('gpu-node down'), 502, 'upstream', 'Upstream failure'],
    [new WireFormatError('truncated'), 502, 'wire-format', 'Malformed candidate set'],
    [new ServiceUnavailableError('busy', 3), 503, 'unavailable', 'Service unavailable'],
  ];
  for (const [err, status, slug, title] of cases) {
    it(`${err.name}: ${status} ${slug}`, () => {
      expect(err).toBeInstanceOf(RefsegError);
      expect(err).toBeInstanceOf(Error);
      expect(err.status).toBe(status);
      expect(err.type).toBe(base + slug);
      expect(err.title).toBe(title);
      expect(err.name).toBe(err.constructor.name);
      expect(err.message).toBe(err.detail);
    });
  }

  it('subclasses sit under their status family', () => {
    expect(new PixelLimitError(1, 1, 0)).toBeInstanceOf(UnprocessableError);
    expect(new ModelMismatchError('a', 'b')).toBeInstanceOf(ConflictError);
    expect(new WireFormatError('x')).toBeInstanceOf(UpstreamError);
    expect(new InvalidEncodingError('x')).toBeInstanceOf(BadRequestError);
    // coco-mask's RLE error is part of the hierarchy, so it renders without a mapping table.
    expect(new RleFormatError('x')).toBeInstanceOf(MalformedRleError);
    expect(toProblem(new RleFormatError('counts string ends inside value 3'), 'r').body).toMatchObject({
      status: 422,
      type: base + 'malformed-rle',
      detail: 'counts string ends inside value 3',
    });
  });

  it('keeps the cause', () => {
    const cause = new TypeError('boom');
    expect(new UpstreamError('gpu-node failed', { cause }).cause).toBe(cause);
  });

  it('puts the byte offset of wire errors in the detail and as a member', () => {
    const err = new WireFormatError('truncated header', { offset: 12 });
    expect(err.offset).toBe(12);
    expect(err.detail).toBe('truncated header (at byte 12)');
    expect(toProblem(err, 'r').body.offset).toBe(12);
  });
});

describe('toProblem', () => {
  it('renders a RefsegError as problem+json with its members', () => {
    const p = toProblem(new PixelLimitError(9000, 8000, 50_000_000, { field: 'image' }), 'req-1');
    expect(p.status).toBe(422);
    expect(p.headers).toEqual({ 'Content-Type': 'application/problem+json', 'X-Request-Id': 'req-1' });
    expect(p.body).toEqual({
      type: base + 'pixel-limit',
      title: 'Image too large',
      status: 422,
      detail: 'The image is 9000×8000 = 72000000 pixels; the limit is 50000000.',
      requestId: 'req-1',
      field: 'image',
      width: 9000,
      height: 8000,
      maxPixels: 50_000_000,
    });
    expect(JSON.parse(JSON.stringify(p.body))).toEqual(p.body);
  });

  it('adds Retry-After and WWW-Authenticate', () => {
    const busy = toProblem(new ServiceUnavailableError('queue full', 2.2), 'r');
    expect(busy.headers['Retry-After']).toBe('3');
    expect(busy.body.retryAfter).toBe(3);
    expect(toProblem(new UnauthorizedError(), 'r').headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('never lets extra members override the standard ones', () => {
    const err = new BadRequestError('real detail', { extra: { status: 200, type: 'x', requestId: 'forged', detail: 'fake', hint: 'ok' } });
    const { body } = toProblem(err, 'req-2');
    expect(body).toMatchObject({ status: 400, type: base + 'bad-request', requestId: 'req-2', detail: 'real detail', hint: 'ok' });
  });

  it('turns zod errors into 400 (wrong shape) or 422 (broken rule) naming the fields', () => {
    const schema = z.object({ name: z.string(), items: z.array(z.object({ n: z.number().max(3) })) });
    const shape = schema.safeParse({ name: 5, items: [] });
    const rule = schema.safeParse({ name: 'a', items: [{ n: 1 }, { n: 9 }] });
    if (shape.success || rule.success) throw new Error('expected failures');
    const p400 = toProblem(shape.error, 'r');
    expect(p400.status).toBe(400);
    expect(p400.body.type).toBe(base + 'invalid-request');
    expect(p400.body.field).toBe('name');
    expect(p400.body.detail).toMatch(/^name: /);
    const p422 = toProblem(rule.error, 'r');
    expect(p422.status).toBe(422);
    expect(p422.body.field).toBe('items[1].n');
    expect(p422.body.issues).toEqual([{ path: 'items[1].n', message: expect.any(String), code: 'too_big' }]);
  });

  it('hides everything about unknown and internal errors', () => {
    const secret = new Error('ENOENT: /srv/refseg/secret/path.db');
    for (const thrown of [secret, 'a string', null, undefined, { status: 404 }, new InternalError('db at /srv/x failed', { extra: { host: 'db1' } })]) {
      const p = toProblem(thrown, 'req-3');
      expect(p.status).toBe(500);
      expect(p.body).toEqual({
        type: base + 'internal',
        title: 'Internal error',
        status: 500,
        detail: 'An internal error occurred. Quote the requestId when reporting it.',
        requestId: 'req-3',
      });
      expect(JSON.stringify(p)).not.toMatch(/srv|secret|db1/);
    }
  });
});
