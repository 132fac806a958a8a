// Reproduces the denial-of-service cases of issue 8 (1–4, and the 50 concurrent additions of 5)
// against a local gpu-node (its own process, serving from the pipeline thread as `npm start`
// does) and a Node edge, on stand-in models, and prints figures:
//
//   npx tsx test/bench/dos.ts
//
// 1 polygons: health latency of the gpu-node and the edge while a costly polygon rasterises
//   (the issue's 9 polygons at 2.6e7, and a 10 000-vertex zigzag on a 3000×2000 image), and
//   the answers to polygons past the limits.
// 2 many images: 500 image parts (refused up front), and 16 images of which one fails at the
//   node: gpu-node calls in flight at the edge and at the node right after the failed request.
// 3 abandoned work: requests queue at the node, the node is stopped (SIGSTOP) until the edge has
//   given up on them, then continued (SIGCONT): time to first answer for a fresh request, and the
//   node's count of work it dropped unstarted.
// 4 big JSON: an 11.9 MB body with a million unknown keys to POST /v1/banks: edge /healthz
//   latency meanwhile, status and size of the answer.
// 5 50 concurrent reference additions on the default settings: how many land.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startNodeEdge } from '../../edge/adapters/node.ts';
import { createMemoryStorage } from '../../edge/storage/memory.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';

const SECRET = 'dos-bench-gpu-secret';
const ADMIN = 'admin-0123456789abcdef0123456789abcdef';
const root = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Probes `url` back to back while `work` runs; latencies in ms and non-200 answers. */
async function probeWhile(url: string, work: Promise<unknown>): Promise<{ n: number; max: number; median: number; bad: number }> {
  const times: number[] = [];
  let bad = 0;
  let done = false;
  void work.finally(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      if (res.status !== 200) bad++;
    } catch {
      bad++;
    }
    times.push(performance.now() - t0);
    await sleep(10);
  }
  times.sort((a, b) => a - b);
  return { n: times.length, max: times.at(-1) ?? 0, median: times[Math.floor(times.length / 2)] ?? 0, bad };
}

const fmt = (p: { n: number; max: number; median: number; bad: number }) => `${p.n} probes, median ${p.median.toFixed(1)} ms, max ${p.max.toFixed(1)} ms, ${p.bad} not 200`;

async function startGpuNode(sam2Dir: string, dinoPath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'refseg.mjs'), 'serve-gpu', '--port', '0', '--secret', SECRET, '--sam2', sam2Dir, '--dinov2', dinoPath, '--threads', '1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.resume();
  for (let i = 0; i < 1200; i++) {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url && out.includes('gpu-node ready')) return { url, child };
    await sleep(50);
  }
  child.kill();
  throw new Error(`the gpu-node did not start: ${out}`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'refseg-dos-'));
  const paths = await generateStandins(dir);
  const gpu = await startGpuNode(paths.sam2A.dir, paths.dino);
  // Default settings, but DoS 3 needs the edge to give up on the stopped node within seconds.
  const storage = createMemoryStorage();
  const edgeEnv = { REFSEG_GPU_NODES: gpu.url, REFSEG_GPU_SECRET: SECRET, REFSEG_ADMIN_KEY: ADMIN, REFSEG_LOG: 'off' };
  const edge = await startNodeEdge({ env: edgeEnv, port: 0, storage });
  const impatient = await startNodeEdge({ env: { ...edgeEnv, REFSEG_GPU_TIMEOUT_MS: '4000' }, port: 0, storage });
  const auth = { Authorization: `Bearer ${(await (await fetch(`${edge.url}/v1/admin/keys`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 't1' }) })).json()).secret}` };
  const nodeAuth = { Authorization: `Bearer ${SECRET}` };
  const bankRes = await fetch(`${edge.url}/v1/banks`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'dos', classes: ['a'] }) });
  const bankId = (await bankRes.json()).id as string;
  const png = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 60, b: 40 } } }).png().toBuffer().then((b) => new Uint8Array(b));
  const small = await png(640, 480);
  const large = await png(3000, 2000);
  const addReferences = (images: { bytes: Uint8Array; annotations: unknown }[], signal?: AbortSignal, via = edge) => {
    const form = new FormData();
    for (const [i, im] of images.entries()) {
      form.append('image', new File([im.bytes as BlobPart], `r${i}.png`, { type: 'image/png' }));
      form.append('annotations', JSON.stringify(im.annotations));
    }
    return fetch(`${via.url}/v1/banks/${bankId}/references`, { method: 'POST', headers: auth, body: form, ...(signal ? { signal } : {}) });
  };
  const box = [{ className: 'a', box: [100, 100, 200, 150] }];

  try {
    console.log('DoS 1: polygons');
    const big = 2.6e7;
    const issuePolygons = Array.from({ length: 9 }, (_, i) => [0, 0, big + i, 0, big, big, 0, big]);
    let t0 = performance.now();
    let req = addReferences([{ bytes: small, annotations: [{ className: 'a', polygons: issuePolygons }] }]);
    let health = probeWhile(`${gpu.url}/healthz`, req);
    let status = (await req).status;
    console.log(`  9 polygons with coordinates 2.6e7 on 640×480: ${status} in ${(performance.now() - t0).toFixed(0)} ms; gpu-node /healthz: ${fmt(await health)}`);
    const zigzag: number[] = [];
    for (let i = 0; i < 10_000; i++) zigzag.push(i % 2 === 0 ? -big : big, (i * 2000) / 10_000);
    t0 = performance.now();
    req = addReferences([{ bytes: large, annotations: [{ className: 'a', polygons: [zigzag] }] }]);
    health = probeWhile(`${gpu.url}/healthz`, req);
    const ready = probeWhile(`${edge.url}/readyz`, req);
    status = (await req).status;
    console.log(`  10 000-vertex zigzag at 2.6e7 on 3000×2000: ${status} in ${(performance.now() - t0).toFixed(0)} ms`);
    console.log(`    gpu-node /healthz: ${fmt(await health)}`);
    console.log(`    edge /readyz:      ${fmt(await ready)}`);
    const many = Array.from({ length: 101 }, () => [0, 0, 10, 0, 10, 10]);
    const tooLong = Array.from({ length: 10_001 }, (_, i) => [i % 9, i % 7]).flat();
    const spread = Array.from({ length: 3 }, () => ({ className: 'a', polygons: [Array.from({ length: 10_000 }, (_, i) => [i % 9, i % 7]).flat()] }));
    const answers = await Promise.all([
      addReferences([{ bytes: small, annotations: [{ className: 'a', polygons: many }] }]),
      addReferences([{ bytes: small, annotations: [{ className: 'a', polygons: [tooLong] }] }]),
      addReferences([{ bytes: small, annotations: spread }]),
    ]);
    console.log(`  limits: 101 polygons → ${answers[0].status}, 10 001 vertices → ${answers[1].status}, 30 000 vertices in one request → ${answers[2].status}`);

    console.log('DoS 2: many images in one request');
    const five = Array.from({ length: 500 }, () => ({ bytes: small, annotations: box }));
    t0 = performance.now();
    const r500 = await addReferences(five);
    console.log(`  500 image parts: ${r500.status} in ${(performance.now() - t0).toFixed(0)} ms; edge calls in flight: ${edge.services.gpu.load().inFlight}`);
    const failing = Array.from({ length: 16 }, (_, i) => ({ bytes: small, annotations: i === 0 ? [{ className: 'a', polygons: [[5000, 5000, 5100, 5000, 5100, 5100]] }] : box }));
    const metricsBefore = await (await fetch(`${gpu.url}/metrics`, { headers: nodeAuth })).text();
    const r16 = await addReferences(failing);
    const right = edge.services.gpu.load();
    await sleep(200);
    const metricsAfter = await (await fetch(`${gpu.url}/metrics`, { headers: nodeAuth })).text();
    const started = (m: string) => Number(/refseg_gpu_http_requests_total\{route="\/v1\/reference-vectors",method="POST",status="200"\} (\d+)/.exec(m)?.[1] ?? 0);
    console.log(`  16 images, the first fails: ${r16.status}; edge calls in flight right after: ${right.inFlight} (waiting ${right.waiting}); 200 ms later: ${edge.services.gpu.load().inFlight}`);
    console.log(`    reference-vectors the node completed for that request: ${started(metricsAfter) - started(metricsBefore)} of 15 good images`);

    console.log('DoS 3: abandoned work');
    const cancelledOf = (m: string) => [...m.matchAll(/refseg_gpu_cancelled_total\{queue="(\w+)"\} (\d+)/g)].map(([, q, v]) => `${q} ${v}`).join(', ');
    const abandoned = Array.from({ length: 8 }, () => addReferences([{ bytes: small, annotations: box }], undefined, impatient).then((r) => r.status));
    await sleep(300);
    gpu.child.kill('SIGSTOP');
    t0 = performance.now();
    const statuses = await Promise.all(abandoned);
    console.log(`  8 additions while the node is stopped: ${statuses.join(' ')} after ${(performance.now() - t0).toFixed(0)} ms (edge timeout 4000 ms)`);
    await sleep(1000);
    gpu.child.kill('SIGCONT');
    t0 = performance.now();
    const fresh = await addReferences([{ bytes: small, annotations: box }], undefined, impatient);
    console.log(`  first answer after SIGCONT: ${fresh.status} in ${(performance.now() - t0).toFixed(0)} ms`);
    console.log(`    gpu-node dropped unstarted: ${cancelledOf(await (await fetch(`${gpu.url}/metrics`, { headers: nodeAuth })).text())}`);

    console.log('DoS 4: big JSON');
    const keys: string[] = [];
    for (let i = 0; i < 1_000_000; i++) keys.push(`"k${i}":1`);
    const body = `{"name":"x","classes":["a"],${keys.join(',')}}`;
    t0 = performance.now();
    const bigJson = fetch(`${edge.url}/v1/banks`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body }).then(async (r) => ({ status: r.status, bytes: (await r.arrayBuffer()).byteLength }));
    const edgeHealth = probeWhile(`${edge.url}/healthz`, bigJson);
    const answer = await bigJson;
    console.log(`  ${(body.length / 1e6).toFixed(1)} MB body: ${answer.status}, ${answer.bytes} bytes, in ${(performance.now() - t0).toFixed(0)} ms; edge /healthz: ${fmt(await edgeHealth)}`);

    console.log('DoS 5 (queue wait): 50 concurrent reference additions');
    t0 = performance.now();
    const fifty = await Promise.all(Array.from({ length: 50 }, () => addReferences([{ bytes: small, annotations: box }]).then((r) => r.status)));
    const counts = new Map<number, number>();
    for (const s of fifty) counts.set(s, (counts.get(s) ?? 0) + 1);
    console.log(`  ${[...counts].map(([s, n]) => `${n}× ${s}`).join(', ')} in ${(performance.now() - t0).toFixed(0)} ms`);
  } finally {
    await edge.close();
    await impatient.close();
    gpu.child.kill('SIGCONT');
    gpu.child.kill('SIGINT');
    await new Promise((r) => gpu.child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
