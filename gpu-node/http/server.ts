// The gpu-node app on a real port (@hono/node-server). The port opens at once; the models load
// behind it, so orchestrators see /healthz immediately and /readyz once the node can serve.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createGpuNodeApp } from './app.ts';
import type { GpuNodeApp, GpuNodeAppOptions } from './app.ts';

export interface ServeOptions extends GpuNodeAppOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: the node is an internal service. */
  hostname?: string;
}

export interface RunningNode extends GpuNodeApp {
  url: string;
  port: number;
  /** Stops accepting connections and waits for open ones to finish. */
  close(): Promise<void>;
}

export async function serveGpuNode(options: ServeOptions): Promise<RunningNode> {
  const node = createGpuNodeApp(options);
  const hostname = options.hostname ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    const s = serve({ fetch: node.app.fetch, port: options.port, hostname }, (info: AddressInfo) => resolve({ server: s, port: info.port }));
    s.once('error', reject);
  });
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    ...node,
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ('closeIdleConnections' in server) server.closeIdleConnections();
      }),
  };
}
