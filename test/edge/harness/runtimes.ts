// The edge on each runtime it supports, as a real HTTP server on 127.0.0.1, configured only
// through its environment: Node (edge/adapters/node.ts, SQLite file), Deno (the `deno` binary
// from npm running edge/adapters/deno.ts, Deno KV file), workerd (the bundle `wrangler deploy
// --dry-run` builds from wrangler.toml, run by Miniflare with in-memory KV and R2).
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';
import { startNodeEdge } from '../../../edge/adapters/node.ts';

export type RuntimeName = 'node' | 'deno' | 'workerd';
export const RUNTIMES: readonly RuntimeName[] = ['node', 'deno', 'workerd'];

export interface RunningEdge {
  runtime: RuntimeName;
  url: string;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'node_modules/.bin');

export async function startEdge(runtime: RuntimeName, env: Record<string, string>): Promise<RunningEdge> {
  const dir = await mkdtemp(join(tmpdir(), `refseg-edge-${runtime}-`));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const edge = runtime === 'node' ? await onNode(env, dir) : runtime === 'deno' ? await onDeno(env, dir) : await onWorkerd(env, dir);
    return {
      ...edge,
      async close() {
        await edge.close();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function onNode(env: Record<string, string>, dir: string): Promise<RunningEdge> {
  const edge = await startNodeEdge({ env: { ...env, REFSEG_DB: join(dir, 'edge.sqlite') }, port: 0 });
  return { runtime: 'node', url: edge.url, close: () => edge.close() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilUp(url: string, exited: () => string | null, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why !== null) throw new Error(why);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the edge at ${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function onDeno(env: Record<string, string>, dir: string): Promise<RunningEdge> {
  const port = await freePort();
  const child = spawn(
    join(BIN, 'deno'),
    ['run', '--unstable-kv', '--allow-net', '--allow-env', '--allow-read', '--allow-write', '--config', join(ROOT, 'deno.json'), join(ROOT, 'edge/adapters/deno.ts')],
    { cwd: ROOT, env: { ...process.env, ...env, REFSEG_EDGE_PORT: String(port), REFSEG_EDGE_HOST: '127.0.0.1', REFSEG_DB: join(dir, 'edge.kv'), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  let exit: string | null = null;
  child.once('exit', (code, signal) => (exit = `deno exited (${code ?? signal}) before serving:\n${output.slice(-4000)}`));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, () => exit);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    runtime: 'deno',
    url,
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

let bundle: Promise<string> | null = null;

/** The Worker exactly as `wrangler deploy` would upload it (wrangler.toml, esbuild), built once per process. */
function workerBundle(): Promise<string> {
  bundle ??= (async () => {
    const out = await mkdtemp(join(tmpdir(), 'refseg-worker-'));
    await promisify(execFile)(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', out], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
    });
    return out;
  })();
  return bundle;
}

async function onWorkerd(env: Record<string, string>, _dir: string): Promise<RunningEdge> {
  const out = await workerBundle();
  const toml = await readFile(join(ROOT, 'wrangler.toml'), 'utf8');
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!compatibilityDate) throw new Error('wrangler.toml has no compatibility_date');
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(out, 'workers.js'),
    modulesRoot: out,
    compatibilityDate,
    kvNamespaces: ['REFSEG_KV'],
    r2Buckets: ['REFSEG_R2'],
    durableObjects: { REFSEG_BANKS: { className: 'RefsegBankObject', useSQLite: true } },
    bindings: env,
    host: '127.0.0.1',
    port: 0,
  });
  const url = (await mf.ready).href.replace(/\/$/, '');
  return { runtime: 'workerd', url, close: () => mf.dispose() };
}
