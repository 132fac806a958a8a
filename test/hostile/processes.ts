// The edge and the stand-in gpu-node as separate processes, as they run in production: so a test
// can kill -9 or SIGSTOP them, restart them on the same port and storage, and read what they
// logged and how they ended.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../edge/harness/runtimes.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
/**
 * Node with tsx's loader in the same process: the `tsx` command runs the script in a child
 * process, so a signal to it (kill -9 above all) would not reach the server.
 */
const TSX = ['--import', 'tsx'];

export type EdgeRuntime = 'node' | 'deno';

export interface Proc {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything written on stdout and stderr so far. */
  output(): string;
  /** Null while running; else how it ended. */
  ended(): { code: number | null; signal: NodeJS.Signals | null } | null;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM (then SIGKILL after 5 s) and wait for the exit. */
  stop(): Promise<void>;
}

function watch(child: ChildProcess, url: string, port: number): Proc {
  let output = '';
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      ended = { code, signal };
      done();
    }),
  );
  return {
    url,
    port,
    child,
    output: () => output,
    ended: () => ended,
    signal: (sig) => void child.kill(sig),
    async stop() {
      if (ended) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitFor(proc: Proc, path: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const end = proc.ended();
    if (end) throw new Error(`process exited (${end.code ?? end.signal}) before serving ${path}:\n${proc.output().slice(-3000)}`);
    try {
      const res = await fetch(proc.url + path, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await proc.stop();
      throw new Error(`${proc.url}${path} did not answer within ${timeoutMs} ms:\n${proc.output().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface EdgeProcOptions {
  runtime: EdgeRuntime;
  env: Record<string, string>;
  /** Storage file; the same path on a restart keeps the data. */
  db: string;
  port?: number;
}

export async function startEdgeProc(options: EdgeProcOptions): Promise<Proc> {
  const port = options.port ?? (await freePort());
  const env = { ...process.env, ...options.env, REFSEG_EDGE_PORT: String(port), REFSEG_EDGE_HOST: '127.0.0.1', REFSEG_DB: options.db, NO_COLOR: '1' };
  const child =
    options.runtime === 'node'
      ? spawn(process.execPath, [...TSX, join(ROOT, 'edge/adapters/node.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(join(BIN, 'deno'), ['run', '--unstable-kv', '--allow-net', '--allow-env', '--allow-read', '--allow-write', '--config', join(ROOT, 'deno.json'), join(ROOT, 'edge/adapters/deno.ts')], {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  const proc = watch(child, `http://127.0.0.1:${port}`, port);
  await waitFor(proc, '/healthz', 60_000);
  return proc;
}

export interface GpuProc extends Proc {
  secret: string;
}

/** test/hostile/gpu-node-main.ts in its own process (stand-in models in `modelsDir`). */
export async function startGpuProc(modelsDir: string, port?: number): Promise<GpuProc> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, [...TSX, join(ROOT, 'test/hostile/gpu-node-main.ts')], {
    cwd: ROOT,
    env: { ...process.env, REFSEG_TEST_GPU_PORT: String(p), REFSEG_TEST_MODELS: modelsDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = watch(child, `http://127.0.0.1:${p}`, p);
  await waitFor(proc, '/healthz', 90_000);
  return { ...proc, secret: GPU_PROC_SECRET };
}

export const GPU_PROC_SECRET = 'hostile-gpu-secret-0123456789';

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Lines the edge logged about how it ended or about errors nobody caught. */
export function exitReasons(output: string): string[] {
  return output.split('\n').filter((l) => /"event":"(exit|exit-uncaught-error|unhandled-rejection|stopping)"/.test(l));
}
