// Issue 8 item 14 on workerd (the Worker bundle `wrangler deploy --dry-run` builds from
// wrangler.toml, under Miniflare): bank writes go through one Durable Object per bank, so 50
// concurrent reference additions to one bank all land, and the tenant's bank list (kept in the
// tenant's object) follows creations and deletions.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { call, referenceForm } from '../edge/harness/client.ts';
import { startStandinGpuNode } from '../edge/harness/gpu-node.ts';
import type { StandinGpuNode } from '../edge/harness/gpu-node.ts';
import { testScenes } from '../edge/harness/scenes.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { startWorld } from './world.ts';
import type { World } from './world.ts';
import { concurrentAdditions } from './concurrency.ts';

let gpu: StandinGpuNode;
let scenes: TestScenes;
let world: World;

beforeAll(async () => {
  [gpu, scenes] = await Promise.all([startStandinGpuNode(), testScenes()]);
  world = await startWorld('workerd', gpu, scenes);
});
afterAll(async () => {
  await world?.edge.close();
  await gpu?.close();
});

describe('Workers bank store (Durable Object per bank) in workerd', () => {
  it('50 concurrent additions to one bank all land', async () => {
    await concurrentAdditions(world.edge.url, world.tenants.a, scenes, 50);
  });

  it('the bank list follows creations and deletions; another tenant sees none of it', async () => {
    const { a, b } = world.tenants;
    const base = world.edge.url;
    const ids = ['l1', 'l2', 'l3'];
    const created = await Promise.all(ids.map((id) => call(base, 'POST', '/v1/banks', { token: a, json: { id, name: id, classes: ['red'] } })));
    assert.deepEqual(created.map((r) => r.status), [201, 201, 201]);
    const list = async (token: string) => (await call(base, 'GET', '/v1/banks', { token })).body.banks.map((x: any) => x.id).sort();
    assert.deepEqual(await list(a), ['l1', 'l2', 'l3', 'race-50', 'shapes']);
    assert.deepEqual(await list(b), []);
    assert.equal((await call(base, 'DELETE', '/v1/banks/l2', { token: a })).status, 204);
    assert.deepEqual(await list(a), ['l1', 'l3', 'race-50', 'shapes']);
    // Created again after deletion: listed again, and empty (a new bank, not the old one).
    assert.equal((await call(base, 'POST', '/v1/banks', { token: a, json: { id: 'l2', name: 'again', classes: ['red'] } })).status, 201);
    assert.deepEqual(await list(a), ['l1', 'l2', 'l3', 'race-50', 'shapes']);
    const add = await call(base, 'POST', '/v1/banks/l2/references', {
      token: a,
      form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'red', mask: scenes.reference.masks[0] }] }]),
    });
    assert.equal(add.status, 201, JSON.stringify(add.body));
    assert.equal((await call(base, 'GET', '/v1/banks/l2', { token: a })).body.referenceCount, 1);
    assert.equal((await call(base, 'GET', '/v1/banks/l2', { token: b })).status, 404);
  });
});
