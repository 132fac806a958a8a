// Deno: Deno.serve and Deno KV (a local file, REFSEG_DB, or Deno Deploy's KV when unset).
//   deno task edge        (deno.json; needs --unstable-kv, --allow-net, --allow-env, --allow-read/write for the KV file and the socket)
// Deno.serve keeps no connection deadlines, so the public port is served by the connection
// guard (deno-guard.ts: Node's headers, request and keep-alive timeouts) in front of the app's
// Deno.serve on a private Unix socket. REFSEG_DENO_GUARD=off serves the app directly, for
// platforms that terminate HTTP in front of it with their own deadlines (Deno Deploy).
// Every way this process ends is logged with its reason (signals, uncaught errors, unhandled
// rejections, exit code), so an edge never disappears without a line.
import { createEdgeApp } from '../app.ts';
import { configFromEnv } from '../config.ts';
import { gpuPoolFromConfig } from '../gpu/from-config.ts';
import { openDenoKvStorage } from '../storage/deno-kv.deno.ts';
import { startConnectionGuard } from './deno-guard.ts';
import { httpTimeoutsFromEnv } from './http-timeouts.ts';

interface DenoServer {
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

type ExitSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGQUIT';

declare const Deno: {
  env: { toObject(): Record<string, string> };
  pid: number;
  serve(options: { port?: number; hostname?: string; path?: string; transport?: 'unix'; onListen?: (addr: unknown) => void }, handler: (request: Request) => Response | Promise<Response>): DenoServer;
  addSignalListener(signal: ExitSignal, handler: () => void): void;
  makeTempDir(options: { prefix: string }): Promise<string>;
  remove(path: string, options: { recursive: boolean }): Promise<void>;
  exitCode: number;
  exit(code: number): never;
};

/** One JSON line on stderr per lifecycle event: what an operator greps for after an exit. */
const lifecycle = (event: Record<string, unknown>) => console.error(JSON.stringify({ time: new Date().toISOString(), component: 'refseg-edge', pid: Deno.pid, ...event }));
const describe = (err: unknown) => (err instanceof Error ? { error: err.message, name: err.name, stack: err.stack } : { error: String(err) });

// Uncaught errors end the process (state may be broken); an unhandled rejection is logged and
// the edge keeps serving, as one request's bug must not take the service from every tenant.
globalThis.addEventListener('error', (e) => {
  lifecycle({ event: 'exit-uncaught-error', ...describe((e as ErrorEvent).error) });
});
globalThis.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  lifecycle({ event: 'unhandled-rejection', ...describe((e as PromiseRejectionEvent).reason) });
});
globalThis.addEventListener('unload', () => lifecycle({ event: 'exit', code: Deno.exitCode }));

const env = Deno.env.toObject();
const config = configFromEnv(env);
const timeouts = httpTimeoutsFromEnv(env);
const storage = await openDenoKvStorage(env.REFSEG_DB || undefined);
const gpu = gpuPoolFromConfig(config);
const stopChecks = gpu.startHealthChecks();
const { app } = createEdgeApp({ storage, gpu, config });
const hostname = env.REFSEG_EDGE_HOST || '127.0.0.1';
const port = Number(env.REFSEG_EDGE_PORT || 8787);
const guarded = env.REFSEG_DENO_GUARD !== 'off';

let server: DenoServer;
let stopGuard = () => {};
let socketDir: string | null = null;
if (guarded) {
  socketDir = await Deno.makeTempDir({ prefix: 'refseg-edge-' });
  const upstreamPath = `${socketDir}/app.sock`;
  server = Deno.serve({ path: upstreamPath, transport: 'unix', onListen: () => {} }, app.fetch);
  const guard = startConnectionGuard({ hostname, port, upstreamPath, timeouts, log: (e) => config.log === 'json' && lifecycle(e) });
  stopGuard = guard.close;
  lifecycle({ event: 'listening', url: `http://${guard.addr.hostname}:${guard.addr.port}`, storage: storage.driver, guard: timeouts });
} else {
  server = Deno.serve({ port, hostname, onListen: () => {} }, app.fetch);
  lifecycle({ event: 'listening', url: `http://${hostname}:${port}`, storage: storage.driver, guard: 'off' });
}

let stopping = false;
const stop = async (signal: ExitSignal) => {
  if (stopping) return;
  stopping = true;
  lifecycle({ event: 'stopping', signal });
  stopGuard();
  stopChecks();
  await server.shutdown();
  await storage.close();
  if (socketDir !== null) await Deno.remove(socketDir, { recursive: true }).catch(() => undefined);
  Deno.exit(0);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const) Deno.addSignalListener(signal, () => void stop(signal));
