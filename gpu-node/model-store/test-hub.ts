// A stand-in for the model hub in tests: a node:http server on 127.0.0.1 that serves files at
// the hub's URL layout (`/<owner>/<repo>/resolve/<revision>/<path>`) with Range support, and
// can misbehave on purpose (cut the connection part-way, ignore Range, stream without length).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubFile {
  body: Uint8Array;
  /** Cut the connection once this many bytes of the file have been sent (once, then cleared). */
  dropAt?: number;
  /** Answer 200 with the whole file even to a Range request. */
  ignoreRange?: boolean;
  /** Send no Content-Length (chunked transfer). */
  chunked?: boolean;
}

export interface HubRequest {
  path: string;
  range: string | undefined;
  status: number;
}

export interface TestHub {
  url: string;
  files: Map<string, HubFile>;
  requests: HubRequest[];
  close(): Promise<void>;
}

export function hubPath(repo: string, revision: string, path: string): string {
  return `/${repo}/resolve/${revision}/${path}`;
}

export async function startHub(files: Record<string, HubFile> = {}): Promise<TestHub> {
  const map = new Map(Object.entries(files));
  const requests: HubRequest[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const range = req.headers.range;
    const file = map.get(path);
    const log = (status: number) => requests.push({ path, range, status });
    if (!file) {
      log(404);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found');
      return;
    }
    const size = file.body.length;
    let start = 0;
    let status = 200;
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    const m = range && !file.ignoreRange ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      if (start >= size) {
        log(416);
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    }
    if (!file.chunked) headers['content-length'] = size - start;
    log(status);
    res.writeHead(status, headers);
    const rest = file.body.subarray(start);
    if (file.dropAt !== undefined && file.dropAt > start && file.dropAt < size) {
      const sent = rest.subarray(0, file.dropAt - start);
      delete file.dropAt;
      res.write(sent, () => res.socket?.destroy());
      return;
    }
    res.end(rest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files: map,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A URL on 127.0.0.1 where nothing listens (the port was just released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Deterministic bytes, different at every offset within a period of 251. */
export function testBytes(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + seed) % 251;
  return out;
}
