import { describe, expect, it } from 'vitest';
import { ConnectionGuard } from './connection-guard.ts';
import { FramingError, Http1Framer } from './http1-framing.ts';
import type { FramingEvent } from './http1-framing.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const request = () => new Http1Framer({ side: 'request', maxHeadBytes: 256 });
const types = (events: FramingEvent[]) => events.map((e) => e.type);

/** Feeds `text` one byte at a time (the worst split a network can make). */
function byteByByte(framer: Http1Framer, text: string): FramingEvent[] {
  return [...bytes(text)].flatMap((b) => framer.push(new Uint8Array([b])));
}

describe('HTTP/1.1 request framing', () => {
  it('finds the end of requests without a body, with Content-Length and chunked, however split', () => {
    const text =
      'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' +
      'POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello' +
      'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n' +
      '\r\nGET /d HTTP/1.0\r\n\r\n';
    for (const events of [request().push(bytes(text)), byteByByte(request(), text)]) {
      expect(types(events)).toEqual(['head-start', 'head', 'message-end', 'head-start', 'head', 'message-end', 'head-start', 'head', 'message-end', 'head-start', 'head', 'message-end']);
      expect(events.filter((e) => e.type === 'head').map((e) => (e as { method: string }).method)).toEqual(['GET', 'POST', 'POST', 'GET']);
    }
  });

  it('stays inside a message until its last body byte', () => {
    const f = request();
    f.push(bytes('PUT /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345'));
    expect(f.inMessage).toBe(true);
    expect(f.receivingHead).toBe(false);
    expect(types(f.push(bytes('67890')))).toEqual(['message-end']);
    expect(f.inMessage).toBe(false);
  });

  it.each([
    ['both Content-Length and Transfer-Encoding', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['a Transfer-Encoding not ending in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 400],
    ['differing Content-Length values', 'POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n', 400],
    ['a negative Content-Length', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 400],
    ['a malformed request line', 'GET /\r\n\r\n', 400],
    ['a space before a header colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['a chunk size that is not hex', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ['chunk data longer than declared', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n', 400],
    ['a head over the limit', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(300)}\r\n\r\n`, 431],
  ])('refuses %s', (_name, text, status) => {
    expect(() => request().push(bytes(text))).toThrow(FramingError);
    try {
      request().push(bytes(text));
    } catch (err) {
      expect((err as FramingError).status).toBe(status);
    }
  });
});

describe('HTTP/1.1 response framing', () => {
  it('knows HEAD, 1xx, 204 and 304 answers have no body, and 101 starts a tunnel', () => {
    const methods = ['HEAD', 'GET', 'GET', 'POST'];
    const f = new Http1Framer({ side: 'response', maxHeadBytes: 4096, nextRequestMethod: () => methods.shift() });
    const events = f.push(
      bytes(
        'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n' +
          'HTTP/1.1 204 No Content\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
          'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
      ),
    );
    expect(types(events).filter((t) => t === 'message-end')).toHaveLength(4);
    expect(methods).toEqual([]);
    expect(types(f.push(bytes('HTTP/1.1 101 Switching Protocols\r\n\r\n\x00\x01')))).toEqual(['head-start', 'head', 'tunnel']);
    expect(f.tunnelled).toBe(true);
  });
});

describe('connection deadlines (Node semantics)', () => {
  const timeouts = { headersTimeoutMs: 1000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 200, maxHeadBytes: 4096 };

  it('a head gets headersTimeout from its first byte, a body requestTimeout from the same start', () => {
    let t = 0;
    const g = new ConnectionGuard(timeouts, () => t);
    expect(g.deadline()).toEqual({ at: 1000, reason: 'headers' });
    t = 100;
    g.fromClient(bytes('POST / HTTP/1.1\r\n'));
    expect(g.deadline()).toEqual({ at: 1100, reason: 'headers' });
    t = 900;
    g.fromClient(bytes('X-Slow: 1\r\n'));
    // A header line does not extend it.
    expect(g.deadline()).toEqual({ at: 1100, reason: 'headers' });
    g.fromClient(bytes('Content-Length: 4\r\n\r\nab'));
    expect(g.deadline()).toEqual({ at: 5100, reason: 'request' });
    expect(g.receiving()).toBe(true);
    g.fromClient(bytes('cd'));
    expect(g.deadline()).toBeNull();
    expect(g.canAnswer()).toBe(false);
  });

  it('while an answer is due nothing is timed; after it, keepAliveTimeout', () => {
    let t = 0;
    const g = new ConnectionGuard(timeouts, () => t);
    g.fromClient(bytes('GET / HTTP/1.1\r\n\r\n'));
    t = 60_000;
    expect(g.deadline()).toBeNull();
    g.fromServer(bytes('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab'));
    expect(g.deadline()).toBeNull();
    g.fromServer(bytes('cd'));
    expect(g.deadline()).toEqual({ at: 60_200, reason: 'keep-alive' });
    expect(g.canAnswer()).toBe(true);
    expect(g.receiving()).toBe(false);
  });
});
