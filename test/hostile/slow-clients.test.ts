// Slow and malformed clients on the wire (issue 8 item 10): the Deno edge keeps the same
// connection deadlines as the Node edge (REFSEG_HEADERS_TIMEOUT_MS, REFSEG_REQUEST_TIMEOUT_MS,
// REFSEG_KEEPALIVE_TIMEOUT_MS, here shortened to seconds). Before the guard, a client sending
// one header line every 2 s held a Deno connection for 330 s.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startEdgeProc, tempDir } from './processes.ts';
import type { EdgeRuntime, Proc } from './processes.ts';
import { ADMIN_KEY, assertAlive } from './world.ts';

const RUNTIMES = (process.env.REFSEG_HOSTILE_RUNTIMES?.split(',') ?? ['node', 'deno']) as EdgeRuntime[];
const HEADERS_MS = 1500;
const REQUEST_MS = 4000;
const KEEPALIVE_MS = 1000;
/** Node checks its deadlines every headersTimeout / 4; scheduling on a loaded machine adds more. */
const SLACK_MS = 2500;

interface Outcome {
  /** From connect to the server closing the connection. */
  closedAfterMs: number;
  /** What the server wrote, as text. */
  received: string;
}

/** Opens a connection, runs `drive` with a writer, and resolves when the server closes it (or after `giveUpMs`). */
function session(url: string, drive: (write: (text: string) => boolean) => () => void, giveUpMs = 20_000): Promise<Outcome> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    let received = '';
    let stop = () => {};
    const socket = connect(Number(port), hostname, () => {
      stop = drive((text) => !socket.destroyed && socket.write(text));
    });
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (b: Buffer) => (received += b.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      stop();
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

/** Writes `lines` one by one every `everyMs`, then keeps writing filler lines. */
const drip = (first: string, everyMs: number, next: (i: number) => string) => (write: (text: string) => boolean) => {
  write(first);
  let i = 0;
  const timer = setInterval(() => write(next(i++)), everyMs);
  return () => clearInterval(timer);
};

const statusOf = (received: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? NaN);

for (const runtime of RUNTIMES) {
  describe(`connection deadlines on the ${runtime} edge`, () => {
    let edge: Proc;
    let dir: { path: string; remove(): Promise<void> };

    beforeAll(async () => {
      dir = await tempDir(`refseg-slow-${runtime}-`);
      edge = await startEdgeProc({
        runtime,
        db: join(dir.path, runtime === 'node' ? 'edge.sqlite' : 'edge.kv'),
        env: {
          // No gpu-node is needed to read requests; this address refuses connections.
          REFSEG_GPU_NODES: 'http://127.0.0.1:9',
          REFSEG_GPU_SECRET: 'unused-secret',
          REFSEG_ADMIN_KEY: ADMIN_KEY,
          REFSEG_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
          REFSEG_REQUEST_TIMEOUT_MS: String(REQUEST_MS),
          REFSEG_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_MS),
          REFSEG_LOG: 'off',
        },
      });
    });
    afterAll(async () => {
      await edge?.stop();
      await dir?.remove();
    });

    it('a request head sent one line at a time is cut at the headers deadline with 408', async () => {
      const out = await session(edge.url, drip('GET /healthz HTTP/1.1\r\nHost: x\r\n', 300, (i) => `X-Slow-${i}: 1\r\n`));
      assert.ok(out.closedAfterMs >= HEADERS_MS - 100, `closed after ${out.closedAfterMs} ms`);
      assert.ok(out.closedAfterMs <= HEADERS_MS + SLACK_MS, `closed after ${out.closedAfterMs} ms, deadline ${HEADERS_MS} ms`);
      assert.equal(statusOf(out.received), 408, out.received.slice(0, 200));
    });

    it('a connection that sends nothing is closed at the headers deadline', async () => {
      const out = await session(edge.url, () => () => {});
      assert.ok(out.closedAfterMs <= HEADERS_MS + SLACK_MS, `closed after ${out.closedAfterMs} ms`);
    });

    it('a body sent a byte at a time is cut at the request deadline', async () => {
      const head = `POST /v1/admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
      const out = await session(edge.url, drip(head, 200, () => ' '));
      assert.ok(out.closedAfterMs >= REQUEST_MS - 100, `closed after ${out.closedAfterMs} ms`);
      assert.ok(out.closedAfterMs <= REQUEST_MS + SLACK_MS, `closed after ${out.closedAfterMs} ms, deadline ${REQUEST_MS} ms`);
    });

    it('an idle kept-alive connection is closed at the keep-alive deadline, after its answer', async () => {
      const out = await session(edge.url, (write) => {
        write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
        return () => {};
      });
      assert.equal(statusOf(out.received), 200);
      assert.ok(out.closedAfterMs <= KEEPALIVE_MS + SLACK_MS, `closed after ${out.closedAfterMs} ms`);
    });

    it('40 slow clients at once: all cut at the deadline, the edge answers others meanwhile', async () => {
      const slow = Array.from({ length: 40 }, () => session(edge.url, drip('GET /healthz HTTP/1.1\r\n', 300, (i) => `X-${i}: 1\r\n`)));
      await new Promise((r) => setTimeout(r, 300));
      await assertAlive(edge.url, 'while 40 slow clients hold connections');
      const outcomes = await Promise.all(slow);
      const longest = Math.max(...outcomes.map((o) => o.closedAfterMs));
      assert.ok(longest <= HEADERS_MS + SLACK_MS, `the last slow client was cut after ${longest} ms`);
    });

    if (runtime === 'deno') {
      // Node's own parser refuses these too (with its plain 400 / 431); the guard answers problem+json.
      it.each([
        ['Content-Length and Transfer-Encoding together', 'POST /v1/banks HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
        ['a request head over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`, 431],
        ['a malformed request line', 'HELLO\r\n\r\n', 400],
      ])('the guard refuses %s with a problem+json and closes', async (_name, text, status) => {
        const out = await session(edge.url, (write) => {
          write(text);
          return () => {};
        });
        assert.equal(statusOf(out.received), status, out.received.slice(0, 300));
        const body = JSON.parse(out.received.slice(out.received.indexOf('\r\n\r\n') + 4));
        assert.equal(body.status, status);
        assert.match(out.received, /Content-Type: application\/problem\+json/);
        await assertAlive(edge.url, 'after a refused request');
      });
    }
  });
}
