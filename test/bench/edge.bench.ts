// The edge on a cache hit (DESIGN.md "The split": a re-query needs no GPU):
//  1. latency of one segment request, in-process, 500 candidates, 20 classes, D = 1024 (p50, p99);
//  2. requests per second of the Node build (edge/adapters/node.ts) under 32 concurrent
//     clients, measured with autocannon over HTTP;
//  3. memory one request allocates with 1000 candidates, D = 1024 (budget 64 MB: a Workers
//     isolate has 128 MB), measured in a child process (edge-memory.ts).
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startNodeEdge } from '../../edge/adapters/node.ts';
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { edgeWorld, worldEnv } from './edge-world.ts';
import type { EdgeWorld } from './edge-world.ts';
import { runIfMain } from './harness.ts';
import type { Bench, BenchRow } from './harness.ts';

const MEMORY_BUDGET_MB = 64;
const LOAD_SECONDS = 10;
const CONNECTIONS = 32;

function segmentRequest(url: string, world: EdgeWorld): Request {
  return new Request(`${url}/v1/banks/${world.bankId}/segment`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${world.tenantKey}`, 'Content-Type': 'image/png' },
    body: world.image as BodyInit,
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function latency(world: EdgeWorld): Promise<BenchRow> {
  const config = configFromEnv(worldEnv(world));
  const { app } = createEdgeApp({ storage: world.storage, gpu: gpuPoolFromConfig(config), config });
  const once = async () => {
    const res = await app.fetch(segmentRequest('http://edge', world));
    const body = await res.text();
    if (res.status !== 200 || !body.includes('"cache":"hit"')) throw new Error(`segment answered ${res.status}: ${body.slice(0, 300)}`);
  };
  for (let i = 0; i < 10; i++) await once();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 200; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const p99 = percentile(times, 99);
  return {
    bench: 'edge',
    what: `segment, cache hit: ${world.candidates} candidates, 20 classes, D=1024 (p50)`,
    medianMs: percentile(times, 50),
    minMs: times[0],
    cpuMs: percentile(cpu, 50),
    runs: times.length,
    note: `p99 ${p99.toFixed(1)} ms; in-process app.fetch, memory storage`,
  };
}

async function throughput(world: EdgeWorld): Promise<BenchRow> {
  const edge = await startNodeEdge({ env: worldEnv(world), port: 0, storage: world.storage });
  try {
    const result = await autocannon({
      url: `${edge.url}/v1/banks/${world.bankId}/segment`,
      connections: CONNECTIONS,
      duration: LOAD_SECONDS,
      method: 'POST',
      headers: { Authorization: `Bearer ${world.tenantKey}`, 'Content-Type': 'image/png' },
      // autocannon takes a Buffer (Node's, not any Uint8Array).
      body: Buffer.from(world.image.buffer, world.image.byteOffset, world.image.byteLength),
    });
    if (result.errors > 0 || result.non2xx > 0) throw new Error(`${result.errors} errors, ${result.non2xx} non-2xx answers under load`);
    return {
      bench: 'edge',
      what: `segment, cache hit, ${CONNECTIONS} clients, Node server (latency p50)`,
      medianMs: result.latency.p50,
      minMs: result.latency.p50,
      cpuMs: NaN,
      runs: result.requests.total,
      note: `${result.requests.average.toFixed(1)} req/s over ${LOAD_SECONDS} s (autocannon); latency p99 ${result.latency.p99} ms`,
    };
  } finally {
    await edge.close();
  }
}

async function memory(): Promise<BenchRow> {
  const child = join(import.meta.dirname, 'edge-memory.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--expose-gc', '--max-semi-space-size=256', child], {
    cwd: join(import.meta.dirname, '../..'),
    maxBuffer: 1 << 20,
  });
  const m = JSON.parse(stdout.trim().split('\n').pop()!);
  const mb = (m.heapBytes + m.bufferBytes) / (1 << 20);
  if (!(mb < MEMORY_BUDGET_MB)) throw new Error(`one segment request allocated ${mb.toFixed(1)} MB; the budget is ${MEMORY_BUDGET_MB} MB`);
  return {
    bench: 'edge',
    what: `segment memory, ${m.candidates} candidates, D=1024 (MB, not ms)`,
    medianMs: mb,
    minMs: mb,
    cpuMs: NaN,
    runs: 1,
    targetMs: MEMORY_BUDGET_MB,
    note: `allocated during one request, no GC: heap ${(m.heapBytes / (1 << 20)).toFixed(1)} MB + buffers ${(m.bufferBytes / (1 << 20)).toFixed(1)} MB`,
  };
}

const bench: Bench = {
  name: 'edge',
  async run() {
    const world = await edgeWorld({ candidates: 500, dim: 1024, classes: 20, seed: 5 });
    try {
      return [await latency(world), await throughput(world), await memory()];
    } finally {
      await world.close();
    }
  },
};

export default bench;
await runIfMain(import.meta.url, bench);
