// Deno: Deno.serve and Deno KV (a local file, REFSEG_DB, or Deno Deploy's KV when unset).
//   deno task edge        (deno.json; needs --unstable-kv, --allow-net, --allow-env, --allow-read/write for the KV file)
import { createEdgeApp } from '../app.ts';
import { configFromEnv } from '../config.ts';
import { gpuPoolFromConfig } from '../gpu/from-config.ts';
import { openDenoKvStorage } from '../storage/deno-kv.deno.ts';

interface DenoServer {
  finished: Promise<void>;
  addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
}

declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(options: { port: number; hostname: string; onListen?: (addr: { hostname: string; port: number }) => void }, handler: (request: Request) => Response | Promise<Response>): DenoServer;
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  exit(code: number): never;
};

const env = Deno.env.toObject();
const config = configFromEnv(env);
const storage = await openDenoKvStorage(env.REFSEG_DB || undefined);
const gpu = gpuPoolFromConfig(config);
const stopChecks = gpu.startHealthChecks();
const { app } = createEdgeApp({ storage, gpu, config });

const server = Deno.serve(
  {
    port: Number(env.REFSEG_EDGE_PORT || 8787),
    hostname: env.REFSEG_EDGE_HOST || '127.0.0.1',
    onListen: ({ hostname, port }) => console.error(`refseg edge listening on http://${hostname}:${port} (storage: ${storage.driver})`),
  },
  app.fetch,
);

const stop = async () => {
  stopChecks();
  await server.shutdown();
  await storage.close();
  Deno.exit(0);
};
Deno.addSignalListener('SIGINT', () => void stop());
Deno.addSignalListener('SIGTERM', () => void stop());
