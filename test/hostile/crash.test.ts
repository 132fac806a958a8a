// Processes dying under load, on Node and Deno edges (separate processes, stand-in gpu-node):
// - kill -9 of the edge while reference additions are being written: after a restart on the same
//   storage, every addition that was acknowledged is there, and the bank is whole (every listed
//   reference readable, counts consistent);
// - the gpu-node stopped (SIGSTOP) or killed (kill -9) while it holds a segment call and a
//   reference addition: both clients get 503 problem+json with Retry-After, nothing is stored;
//   once the node is back (SIGCONT, or a new process on the same port) additions land again
//   without restarting the edge.
// REFSEG_HOSTILE_RUNTIMES=node narrows the runtimes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { call, referenceForm, segmentForm } from '../edge/harness/client.ts';
import type { ApiResponse } from '../edge/harness/client.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { startEdgeProc, startGpuProc, tempDir } from './processes.ts';
import type { EdgeRuntime, GpuProc, Proc } from './processes.ts';
import { assertNoLeak, assertProblemShape, hostileEnv, seedTenants } from './world.ts';
import type { Tenants } from './world.ts';

const RUNTIMES = (process.env.REFSEG_HOSTILE_RUNTIMES?.split(',') ?? ['node', 'deno']) as EdgeRuntime[];
/** Short gpu deadlines so a stopped node is given up in seconds, and found again quickly. */
const FAST_GPU = { REFSEG_GPU_TIMEOUT_MS: '4000', REFSEG_GPU_HEALTH_INTERVAL_MS: '500', REFSEG_GPU_HEALTH_TIMEOUT_MS: '500' };

let scenes: TestScenes;
let models: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  scenes = await testScenes();
  models = await tempDir('refseg-hostile-models-');
});
afterAll(async () => {
  await models?.remove();
});

let unique = 0;
/**
 * The image with bytes after its PNG end (decoders ignore them): other bytes, so no cache of the
 * edge (candidate sets, reference vectors) can answer without a gpu-node.
 */
const fresh = (png: Uint8Array) => new Uint8Array([...png, ...new TextEncoder().encode(`#${process.pid}-${unique++}`)]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `request` until it answers `status` (the service recovered) or `timeoutMs` passes. */
async function until(request: () => Promise<ApiResponse>, status: number, timeoutMs: number): Promise<{ res: ApiResponse; ms: number }> {
  const start = Date.now();
  for (;;) {
    const res = await request();
    if (res.status === status) return { res, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`no recovery within ${timeoutMs} ms; last answer ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    await sleep(500);
  }
}

/** A 503 for a lost gpu-node: problem+json, a Retry-After of whole seconds. */
function assertUnavailable(res: ApiResponse, what: string): void {
  assert.equal(res.status, 503, `${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  assertProblemShape(res, what);
  assert.match(res.headers.get('Retry-After') ?? '', /^[1-9]\d*$/, `${what}: Retry-After ${res.headers.get('Retry-After')}`);
}

for (const runtime of RUNTIMES) {
  describe(`crashes around the ${runtime} edge`, () => {
    let gpu: GpuProc;
    let edge: Proc;
    let dir: { path: string; remove(): Promise<void> };
    let tenants: Tenants;
    let db: string;

    beforeAll(async () => {
      dir = await tempDir(`refseg-crash-${runtime}-`);
      db = join(dir.path, runtime === 'node' ? 'edge.sqlite' : 'edge.kv');
      gpu = await startGpuProc(models.path);
      edge = await startEdgeProc({ runtime, env: hostileEnv(gpu, FAST_GPU), db });
      tenants = await seedTenants(edge.url, scenes);
    });
    afterAll(async () => {
      await edge?.stop();
      await gpu?.stop();
      await dir?.remove();
    });

    it('kill -9 of the edge mid-write loses no acknowledged addition', async () => {
      const n = 16;
      const classes = Array.from({ length: n }, (_, i) => `k${i}`);
      assert.equal((await call(edge.url, 'POST', '/v1/banks', { token: tenants.a, json: { id: 'crash', name: 'crash', classes } })).status, 201);
      const acknowledged: string[] = [];
      let killed = false;
      const sends = classes.map(async (className, i) => {
        const res = await call(edge.url, 'POST', '/v1/banks/crash/references', {
          token: tenants.a,
          form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className, mask: scenes.reference.masks[i % 2] }] }]),
        }).catch(() => null);
        if (res?.status === 201 && !killed) {
          acknowledged.push(res.body.references[0].id);
          // Killed while the rest are being written: some acknowledged, others in flight.
          if (acknowledged.length === 4) {
            killed = true;
            edge.signal('SIGKILL');
          }
        }
      });
      await Promise.all(sends);
      assert.ok(killed, 'the edge was killed mid-write');
      await sleep(300);
      assert.equal(edge.ended()?.signal, 'SIGKILL');
      edge = await startEdgeProc({ runtime, env: hostileEnv(gpu, FAST_GPU), db });

      const listed = await call(edge.url, 'GET', '/v1/banks/crash/references', { token: tenants.a });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      const ids = listed.body.references.map((r: any) => r.id);
      for (const id of acknowledged) assert.ok(ids.includes(id), `acknowledged reference ${id} survived the crash`);
      const view = await call(edge.url, 'GET', '/v1/banks/crash', { token: tenants.a });
      assert.equal(view.body.referenceCount, ids.length, 'the count matches the listed references');
      assert.ok(view.body.classes.every((c: any) => c.positives <= 1), 'no addition was applied twice');
      const exported = await call(edge.url, 'GET', '/v1/banks/crash/export', { token: tenants.a });
      assert.equal(exported.status, 200, 'every listed reference has its body');
      // The bank still takes writes.
      const more = await call(edge.url, 'POST', '/v1/banks/crash/references', {
        token: tenants.a,
        form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'k0', mask: scenes.reference.masks[0] }] }]),
      });
      assert.equal(more.status, 201, JSON.stringify(more.body));
    });

    // Reference additions: one cheap gpu-node call each (DINOv2 on the stand-in), so an answer
    // within the deadline is the normal case and a 503 can only come from the lost node.
    const addition = (className: string) =>
      call(edge.url, 'POST', `/v1/banks/${tenants.bank}/references`, {
        token: tenants.a,
        form: referenceForm([{ image: fresh(scenes.reference.bytes), annotations: [{ className, mask: scenes.reference.masks[className === 'red' ? 0 : 1] }] }]),
      });
    const referenceCount = async () => (await call(edge.url, 'GET', `/v1/banks/${tenants.bank}`, { token: tenants.a })).body.referenceCount as number;
    const recovered = async (what: string) => {
      const { res } = await until(() => addition('blue'), 201, 60_000);
      assert.equal(res.body.references.length, 1, what);
    };

    it('a gpu-node stopped (SIGSTOP) mid-request: 503 with Retry-After, nothing stored, then recovery after SIGCONT', async () => {
      assert.equal((await addition('red')).status, 201, 'works before');
      const before = await referenceCount();
      // A candidate set takes the stand-in node seconds, and the addition queues behind it: both
      // are in the node's hands when it stops.
      const segmenting = segmentNew();
      await sleep(300);
      const adding = addition('red');
      await sleep(100);
      gpu.signal('SIGSTOP');
      const started = Date.now();
      try {
        const [seg, add] = await Promise.all([segmenting, adding]);
        assertUnavailable(add, 'addition while the gpu-node is stopped');
        assertUnavailable(seg, 'segment while the gpu-node is stopped');
        // Within the gpu deadline (4 s), not held until the node comes back.
        assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
        assertUnavailable(await addition('red'), 'a new addition while the gpu-node is stopped');
        assert.equal(await referenceCount(), before, 'the failed additions stored nothing');
      } finally {
        gpu.signal('SIGCONT');
      }
      await recovered('an addition lands after SIGCONT');
      assert.equal(await referenceCount(), before + 1);
    });

    it('a gpu-node killed (kill -9) mid-request: 503 with Retry-After, nothing stored, then recovery once a node is back', async () => {
      const before = await referenceCount();
      const segmenting = segmentNew();
      await sleep(300);
      const adding = addition('red');
      await sleep(100);
      gpu.signal('SIGKILL');
      const [seg, add] = await Promise.all([segmenting, adding]);
      assertUnavailable(add, 'addition when the gpu-node died');
      assertUnavailable(seg, 'segment when the gpu-node died');
      assertUnavailable(await addition('red'), 'addition while no gpu-node is up');
      assert.equal(await referenceCount(), before, 'the failed additions stored nothing');
      gpu = await startGpuProc(models.path, gpu.port);
      await recovered('an addition lands once a gpu-node is back on its address');
      assert.equal(await referenceCount(), before + 1);
    });

    /** A segment of an image never sent before (a cached candidate set needs no gpu-node). */
    const segmentNew = () => call(edge.url, 'POST', `/v1/banks/${tenants.bank}/segment`, { token: tenants.a, form: segmentForm(fresh(scenes.target2.bytes)) });

    it('the 503 for a dead gpu-node leaks no internal URL or error text', async () => {
      gpu.signal('SIGKILL');
      await sleep(300);
      const res = await segmentNew();
      assertUnavailable(res, 'segment while no gpu-node is up');
      assertNoLeak(res, 'segment while no gpu-node is up');
      gpu = await startGpuProc(models.path, gpu.port);
    });
  });
}
