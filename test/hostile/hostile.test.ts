// Hostile use of the edge on Node and Deno (each a process of its own, as deployed), against a
// stand-in gpu-node: the bad-input list (bad-inputs.ts: each refused with a 4xx problem+json that
// leaks nothing, the edge alive after it, tenant A's bank unchanged), bodies cut off on the wire,
// the tenant isolation matrix (tenants.ts), 50 concurrent additions to one bank, and on Deno a
// soak run of the bad-input list watching the process for any exit or uncaught error.
// REFSEG_HOSTILE_RUNTIMES=node narrows the runtimes; REFSEG_HOSTILE_SOAK_ROUNDS (default 3).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { call } from '../edge/harness/client.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { badInputs, wireCases } from './bad-inputs.ts';
import type { BadInputContext } from './bad-inputs.ts';
import { concurrentAdditions } from './concurrency.ts';
import { exitReasons, startEdgeProc, tempDir } from './processes.ts';
import type { EdgeRuntime, Proc } from './processes.ts';
import { crossTenantFirstSegment, tenantMatrix } from './tenants.ts';
import { ADMIN_KEY, assertAlive, assertRefusal, bankState, hostileEnv, newTenantKey, seedTenants } from './world.ts';
import type { Tenants } from './world.ts';

const RUNTIMES = (process.env.REFSEG_HOSTILE_RUNTIMES?.split(',') ?? ['node', 'deno']) as EdgeRuntime[];
const SOAK_ROUNDS = Number(process.env.REFSEG_HOSTILE_SOAK_ROUNDS ?? 3);

let gpu: StandinGpuNode;
let scenes: TestScenes;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
});
afterAll(async () => {
  await gpu?.close();
});

/** Everything tenants A and B can list: must not change under any refused request. */
async function visibleState(base: string, t: Tenants) {
  const banksOf = async (token: string) => (await call(base, 'GET', '/v1/banks', { token })).body.banks.map((x: any) => [x.id, x.referenceCount]);
  return { bank: await bankState(base, t.a, t.bank), banksA: await banksOf(t.a), banksB: await banksOf(t.b) };
}

/** Runs every bad input; returns every broken invariant (all of them, not just the first). */
async function runBadInputs(edge: Proc, ctx: BadInputContext, t: Tenants, round = ''): Promise<string[]> {
  const failures: string[] = [];
  const baseline = await visibleState(edge.url, t);
  for (const bad of badInputs) {
    const what = `${round}${bad.name}`;
    try {
      const res = await bad.send(ctx);
      assertRefusal(res, what, bad.statuses);
      await assertAlive(edge.url, what);
      assert.deepEqual(await bankState(edge.url, t.a, t.bank), baseline.bank, `${what}: tenant A's bank changed`);
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      failures.push(message.startsWith(what) ? message : `${what}: ${message}`);
      if (edge.ended()) {
        failures.push(`the edge exited (${JSON.stringify(edge.ended())}) after "${what}":\n${edge.output().slice(-2000)}`);
        break;
      }
    }
  }
  try {
    assert.deepEqual(await visibleState(edge.url, t), baseline, 'bank lists changed');
  } catch (err) {
    failures.push(String(err));
  }
  return failures;
}

for (const runtime of RUNTIMES) {
  describe(`hostile use of the ${runtime} edge`, () => {
    let edge: Proc;
    let dir: { path: string; remove(): Promise<void> };
    let tenants: Tenants;
    let ctx: BadInputContext;

    beforeAll(async () => {
      dir = await tempDir(`refseg-hostile-${runtime}-`);
      edge = await startEdgeProc({ runtime, env: hostileEnv(gpu), db: join(dir.path, runtime === 'node' ? 'edge.sqlite' : 'edge.kv') });
      tenants = await seedTenants(edge.url, scenes);
      const revoked = await newTenantKey(edge.url, 'tenant-a');
      const keys = await call(edge.url, 'GET', '/v1/admin/keys?tenant=tenant-a', { token: ADMIN_KEY });
      const newest = keys.body.keys.at(-1);
      assert.equal((await call(edge.url, 'DELETE', `/v1/admin/keys/${newest.id}`, { token: ADMIN_KEY })).status, 204);
      ctx = { base: edge.url, a: tenants.a, b: tenants.b, bank: tenants.bank, revoked, scenes };
    });
    afterAll(async () => {
      await edge?.stop();
      await dir?.remove();
    });

    it(`${badInputs.length} bad inputs: each a 4xx problem+json leaking nothing, the edge alive, the bank unchanged`, async () => {
      const failures = await runBadInputs(edge, ctx, tenants);
      assert.deepEqual(failures, [], `${failures.length} of ${badInputs.length} bad inputs broke an invariant:\n${failures.join('\n')}`);
    });

    it(`${wireCases.length} requests cut off on the wire: the edge stays up, nothing is stored`, async () => {
      const before = await visibleState(edge.url, tenants);
      for (const wire of wireCases) {
        await wire.send(ctx);
        await assertAlive(edge.url, wire.name);
      }
      // A cut-off bank creation must not have created the bank.
      assert.equal((await call(edge.url, 'GET', '/v1/banks/cut', { token: tenants.a })).status, 404);
      assert.deepEqual(await visibleState(edge.url, tenants), before);
    });

    it('tenant isolation matrix: B reaches none of A\'s banks, references, images or keys', async () => {
      const checks = await tenantMatrix({ base: edge.url, a: tenants.a, b: tenants.b, bank: tenants.bank, scenes });
      assert.ok(checks >= 20, `${checks} checks made`);
    });

    it('B\'s first segment of an image A sent does not say "cache":"hit"', async () => {
      const b = await crossTenantFirstSegment({ base: edge.url, a: tenants.a, b: tenants.b, bank: tenants.bank, scenes });
      assert.equal(b.cache, 'miss');
    });

    it('50 concurrent additions to one bank all land', async () => {
      await concurrentAdditions(edge.url, tenants.a, scenes, 50);
    });

    if (runtime === 'deno') {
      it(`soak: the bad-input list ${SOAK_ROUNDS} times on Deno; the process never exits and logs no uncaught error`, async () => {
        for (let round = 1; round <= SOAK_ROUNDS; round++) {
          const failures = await runBadInputs(edge, ctx, tenants, `round ${round}: `);
          assert.deepEqual(failures, [], failures.join('\n'));
        }
        assert.equal(edge.ended(), null, `the Deno edge exited: ${edge.output().slice(-2000)}`);
        assert.deepEqual(exitReasons(edge.output()), [], 'no exit, uncaught error or unhandled rejection was logged');
      });

      it('a stopped Deno edge logs why it ended', async () => {
        await edge.stop();
        const reasons = exitReasons(edge.output()).map((l) => JSON.parse(l));
        assert.deepEqual(
          reasons.map((r) => [r.event, r.signal ?? r.code]),
          [
            ['stopping', 'SIGTERM'],
            ['exit', 0],
          ],
        );
      });
    }
  });
}
