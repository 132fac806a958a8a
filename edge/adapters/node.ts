// Node: @hono/node-server, the SQLite file store (default ./refseg-edge.sqlite), timer-driven
// gpu-node health checks. `npx tsx edge/adapters/node.ts` starts it from the environment.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { RefsegError } from '../../shared/errors.ts';
import { createEdgeApp } from '../app.ts';
import type { EdgeApp } from '../app.ts';
import { configFromEnv } from '../config.ts';
import type { EnvVars } from '../config.ts';
import type { EdgeDeps } from '../context.ts';
import { deviceFilesOnDisk } from '../device/files.node.ts';
import { gpuPoolFromConfig } from '../gpu/from-config.ts';
import type { Storage } from '../storage/contract.ts';
import { openSqliteStorage } from '../storage/sqlite.node.ts';
import { httpTimeoutsFromEnv } from './http-timeouts.ts';

export const DEFAULT_EDGE_PORT = 8787;
export const DEFAULT_DB_PATH = 'refseg-edge.sqlite';

export interface NodeEdgeOptions {
  env: EnvVars;
  /** Default REFSEG_EDGE_PORT or 8787; 0 picks a free port. */
  port?: number;
  /** Default REFSEG_EDGE_HOST or 127.0.0.1. */
  hostname?: string;
  /** Default: the SQLite file REFSEG_DB (or ./refseg-edge.sqlite). */
  storage?: Storage;
  log?: EdgeDeps['log'];
}

export interface RunningEdge extends EdgeApp {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startNodeEdge(options: NodeEdgeOptions): Promise<RunningEdge> {
  const { env } = options;
  const config = configFromEnv(env);
  const timeouts = httpTimeoutsFromEnv(env);
  const storage = options.storage ?? openSqliteStorage(env.REFSEG_DB || DEFAULT_DB_PATH);
  const gpu = gpuPoolFromConfig(config);
  const stopChecks = gpu.startHealthChecks();
  // The on-device engine's files: the models folder REFSEG_DEVICE_MODELS_DIR (if set) and
  // onnxruntime-web's WASM from node_modules.
  const deviceFiles = deviceFilesOnDisk(env.REFSEG_DEVICE_MODELS_DIR || undefined);
  const edge = createEdgeApp({ storage, gpu, config, deviceFiles, ...(options.log ? { log: options.log } : {}) });
  const hostname = options.hostname ?? (env.REFSEG_EDGE_HOST || '127.0.0.1');
  const wanted = options.port ?? Number(env.REFSEG_EDGE_PORT || DEFAULT_EDGE_PORT);
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve, reject) => {
    // Node checks the headers and request deadlines every connectionsCheckingInterval (30 s by
    // default): short deadlines get a matching interval, so they hold to within a quarter.
    const serverOptions = {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      maxHeaderSize: timeouts.maxHeadBytes,
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(timeouts.headersTimeoutMs / 4))),
    };
    const s = serve({ fetch: edge.app.fetch, port: wanted, hostname, serverOptions }, (info: AddressInfo) => resolve({ server: s, port: info.port }));
    s.once('error', reject);
  });
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    ...edge,
    url: `http://${host}:${port}`,
    port,
    async close() {
      stopChecks();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      if (!options.storage) await storage.close();
    },
  };
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  // A wrong setting or a busy port: one line naming it (exit 2 and 1), no stack.
  const edge = await startNodeEdge({ env: process.env }).catch((err: NodeJS.ErrnoException) => {
    const busy = err.code === 'EADDRINUSE';
    console.error(
      busy
        ? `refseg edge: port ${process.env.REFSEG_EDGE_PORT || DEFAULT_EDGE_PORT} (REFSEG_EDGE_PORT) is already in use; stop what holds it or set REFSEG_EDGE_PORT to a free port.`
        : `refseg edge: ${err instanceof RefsegError ? err.detail : err.message}`,
    );
    process.exit(busy || !(err instanceof RefsegError) ? 1 : 2);
  });
  console.error(`refseg edge listening on ${edge.url} (storage: ${edge.services.storage.driver})`);
  if (edge.services.config.adminKey === undefined) console.error('refseg edge: REFSEG_ADMIN_KEY is not set, so the admin routes are off and no API key can be created.');
  const stop = () => void edge.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
