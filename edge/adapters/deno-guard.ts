// Deno.serve has no headers, request or keep-alive timeout (Deno 2.9: its options are port,
// hostname, signal, handler, onListen, onError, reusePort, tcpBacklog, cert/key, transport,
// path): a client sending one header line every 2 s held a connection for 330 s. So on Deno
// the public port belongs to this guard, a byte-level TCP relay that keeps Node's deadlines
// (connection-guard.ts) and refuses ambiguous framing, and the app's Deno.serve listens on a
// Unix socket in a private directory that only this process uses. Bytes are relayed as they
// come; nothing is buffered beyond one read.
import { toProblem, RefsegError } from '../../shared/errors.ts';
import { ConnectionGuard } from './connection-guard.ts';
import type { HttpTimeouts } from './connection-guard.ts';
import { FramingError } from './http1-framing.ts';

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}

interface DenoListener extends AsyncIterable<DenoConn> {
  addr: { hostname: string; port: number };
  close(): void;
}

declare const Deno: {
  listen(options: { hostname: string; port: number }): DenoListener;
  connect(options: { transport: 'unix'; path: string }): Promise<DenoConn>;
};

export interface GuardOptions {
  hostname: string;
  port: number;
  /** The Unix socket the app's Deno.serve listens on. */
  upstreamPath: string;
  timeouts: HttpTimeouts;
  log(event: Record<string, unknown>): void;
}

export interface RunningGuard {
  addr: { hostname: string; port: number };
  /** Stops accepting; open connections end with their clients. */
  close(): void;
}

const READ_SIZE = 64 * 1024;

const TITLES: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** The guard's own answers: one problem+json, then the connection closes. */
function problemBytes(status: 400 | 408 | 431, slug: string, detail: string): Uint8Array {
  const requestId = crypto.randomUUID();
  const problem = toProblem(new RefsegError(status, slug, TITLES[status], detail), requestId);
  const body = JSON.stringify(problem.body);
  const headers = { ...problem.headers, 'Content-Length': String(new TextEncoder().encode(body).length), Connection: 'close' };
  const head = `HTTP/1.1 ${status} ${TITLES[status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new TextEncoder().encode(head + body);
}

async function writeAll(conn: DenoConn, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) off += await conn.write(bytes.subarray(off));
}

export function startConnectionGuard(options: GuardOptions): RunningGuard {
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  void (async () => {
    try {
      for await (const conn of listener) void relay(conn, options);
    } catch (err) {
      // Only a closed listener ends the loop normally; anything else is worth a line.
      if (!String(err).includes('closed')) options.log({ event: 'guard-listener-failed', error: String(err) });
    }
  })();
  return { addr: listener.addr, close: () => listener.close() };
}

async function relay(client: DenoConn, options: GuardOptions): Promise<void> {
  let upstream: DenoConn;
  try {
    upstream = await Deno.connect({ transport: 'unix', path: options.upstreamPath });
  } catch (err) {
    options.log({ event: 'guard-upstream-unreachable', error: String(err) });
    client.close();
    return;
  }
  const guard = new ConnectionGuard(options.timeouts);
  let closed = false;
  let clientDone = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    for (const c of [client, upstream]) {
      try {
        c.close();
      } catch {
        // already closed by the peer
      }
    }
  };
  /** Ends the connection, with the guard's own answer when no answer of the server is due. */
  const refuse = async (status: 400 | 408 | 431, slug: string, detail: string) => {
    if (closed) return;
    if (guard.canAnswer()) await writeAll(client, problemBytes(status, slug, detail)).catch(() => undefined);
    close();
  };
  const arm = () => {
    clearTimeout(timer);
    const deadline = guard.deadline();
    if (closed || deadline === null) return;
    timer = setTimeout(() => {
      const now = guard.deadline();
      if (now === null) return;
      if (now.at > Date.now()) return arm();
      options.log({ event: 'guard-timeout', reason: now.reason });
      if (guard.receiving()) void refuse(408, 'request-timeout', now.reason === 'headers' ? 'The request head did not arrive in time.' : 'The request did not arrive in time.');
      else close();
    }, Math.max(0, deadline.at - Date.now()));
  };

  const fromClient = async () => {
    const buf = new Uint8Array(READ_SIZE);
    for (;;) {
      const n = await client.read(buf).catch(() => null);
      if (n === null || closed) break;
      const chunk = buf.subarray(0, n);
      try {
        guard.fromClient(chunk);
      } catch (err) {
        if (!(err instanceof FramingError)) throw err;
        options.log({ event: 'guard-refused', status: err.status, reason: err.message });
        return refuse(err.status, err.status === 431 ? 'header-too-large' : 'bad-request', err.message);
      }
      arm();
      await writeAll(upstream, chunk);
    }
    // The client is done sending; its answers still due are relayed, then the connection ends
    // (not passed on as a half-close: the server could take it for an aborted request).
    clientDone = true;
    if (guard.canAnswer()) close();
  };
  const fromServer = async () => {
    const buf = new Uint8Array(READ_SIZE);
    for (;;) {
      const n = await upstream.read(buf).catch(() => null);
      if (n === null || closed) break;
      const chunk = buf.subarray(0, n);
      guard.fromServer(chunk);
      await writeAll(client, chunk);
      if (clientDone && guard.canAnswer()) break;
      arm();
    }
    close();
  };
  arm();
  await Promise.allSettled([fromClient(), fromServer()]);
  close();
}
