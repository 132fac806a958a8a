// The API suite under Deno's own test runner (`deno task test:edge`): the edge app runs in this
// Deno process (Deno.serve, Deno KV in memory); the stand-in gpu-node, which needs Node, runs
// in a child process (test/edge/serve-gpu-node.ts).
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { openDenoKvStorage } from '../../edge/storage/deno-kv.deno.ts';
import { apiCases, edgeEnv, EDGE_ENV_LIMITS, newState } from './api-suite.ts';
import { scenesFromJson } from './harness/scenes-json.ts';

interface ChildProcess {
  stdout: ReadableStream<Uint8Array>;
  stdin: WritableStream<Uint8Array>;
  status: Promise<{ code: number }>;
  kill(signal?: string): void;
}

declare const Deno: {
  test(options: { name: string; sanitizeOps?: boolean; sanitizeResources?: boolean; fn: (t: { step(name: string, fn: () => Promise<void>): Promise<boolean> }) => Promise<void> }): void;
  Command: new (cmd: string, options: { args: string[]; stdin: 'piped'; stdout: 'piped'; stderr: 'inherit'; cwd: string }) => { spawn(): ChildProcess };
  readTextFile(path: string): Promise<string>;
  serve(options: { port: number; hostname: string; onListen?: () => void }, handler: (r: Request) => Response | Promise<Response>): { addr: { port: number }; shutdown(): Promise<void> };
};

const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789';

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the gpu-node helper exited early: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text.slice(0, text.indexOf('\n'));
}

Deno.test({
  name: 'edge API on Deno (in-process)',
  // The gpu-node child and Deno.serve outlive single steps by design.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const child = new Deno.Command(`${ROOT}node_modules/.bin/tsx`, { args: ['test/edge/serve-gpu-node.ts'], stdin: 'piped', stdout: 'piped', stderr: 'inherit', cwd: ROOT }).spawn();
    const started = JSON.parse(await firstLine(child.stdout));
    const scenes = scenesFromJson(JSON.parse(await Deno.readTextFile(started.scenes)));
    const gpu = { url: started.url, secret: started.secret };
    const config = configFromEnv(edgeEnv({ adminKey: ADMIN_KEY, gpu }));
    const storage = await openDenoKvStorage(':memory:');
    const pool = gpuPoolFromConfig(config);
    const { app } = createEdgeApp({ storage, gpu: pool, config });
    const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    try {
      const state = newState();
      for (const c of apiCases) {
        const ok = await t.step(c.name, () => c.run({ base, adminKey: ADMIN_KEY, gpu, scenes, limits: EDGE_ENV_LIMITS }, state));
        if (!ok) break;
      }
    } finally {
      await server.shutdown();
      await storage.close();
      await child.stdin.close();
      await child.status;
    }
  },
});
