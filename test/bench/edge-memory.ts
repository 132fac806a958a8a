// Child process of edge.bench.ts: memory one segment request allocates on a cache hit with a
// 1000-candidate, D = 1024 set. Run with --expose-gc and a large young generation; a request
// during which a collection ran is measured again. Without a collection, what the heap and the
// array buffers grow by is everything the request allocated: an upper bound of its peak (a
// Workers isolate has 128 MB).
import { PerformanceObserver } from 'node:perf_hooks';
import { createEdgeApp } from '../../edge/app.ts';
import { configFromEnv } from '../../edge/config.ts';
import { gpuPoolFromConfig } from '../../edge/gpu/from-config.ts';
import { edgeWorld, worldEnv } from './edge-world.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const world = await edgeWorld({ candidates: 1000, dim: 1024, classes: 20, seed: 11 });
const config = configFromEnv(worldEnv(world));
const { app } = createEdgeApp({ storage: world.storage, gpu: gpuPoolFromConfig(config), config });
const segment = async () => {
  const res = await app.fetch(
    new Request(`http://edge/v1/banks/${world.bankId}/segment`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${world.tenantKey}`, 'Content-Type': 'image/png' },
      body: world.image as BodyInit,
    }),
  );
  const body = await res.text();
  if (res.status !== 200 || !body.includes('"cache":"hit"')) throw new Error(`segment answered ${res.status}: ${body.slice(0, 300)}`);
  return body.length;
};
// Warm-up: compiled code and caches are not the request's memory.
for (let i = 0; i < 3; i++) await segment();
gc();
gc();
const used = () => {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
};
// A collection during the request would hide memory it allocated: measure until one runs without.
const collections: number[] = [];
new PerformanceObserver((list) => collections.push(...list.getEntries().map((e) => e.startTime))).observe({ entryTypes: ['gc'] });
let measured: { heap: number; buffers: number; bytes: number } | null = null;
for (let attempt = 0; attempt < 10 && measured === null; attempt++) {
  gc();
  await new Promise((r) => setTimeout(r, 10));
  const t0 = performance.now();
  const before = used();
  const bytes = await segment();
  const after = used();
  const t1 = performance.now();
  // GC entries are delivered asynchronously.
  await new Promise((r) => setTimeout(r, 10));
  if (!collections.some((t) => t >= t0 && t <= t1)) measured = { heap: after.heap - before.heap, buffers: after.buffers - before.buffers, bytes };
}
if (measured === null) throw new Error('every measured request saw a garbage collection');
process.stdout.write(JSON.stringify({ candidates: world.candidates, heapBytes: measured.heap, bufferBytes: measured.buffers, responseBytes: measured.bytes }) + '\n');
await world.close();
process.exit(0);
