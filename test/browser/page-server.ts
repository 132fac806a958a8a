// A node:http server on 127.0.0.1 for the browser tests: fixed files (the page, the bundle, the
// inputs) and, for every other path, an optional fetch-style handler (e.g. the edge app), so the
// page and the API share one origin and need no CORS.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

export interface StaticFile {
  type: string;
  body: string | Uint8Array;
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(files: Record<string, StaticFile>, fallback?: (request: Request) => Response | Promise<Response>): Promise<PageServer> {
  const listener = getRequestListener(async (request) => {
    const file = files[new URL(request.url).pathname];
    if (file && request.method === 'GET') {
      return new Response(file.body as BodyInit, { headers: { 'Content-Type': file.type, 'Cache-Control': 'no-store' } });
    }
    return fallback ? fallback(request) : new Response('not found', { status: 404 });
  });
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
