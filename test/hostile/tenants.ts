// The tenant isolation matrix: everything tenant B can try against tenant A's bank, references,
// images and keys, each with A's own request as the control (so a 404 means "isolated", not
// "broken"). Returns the number of checks made.
import assert from 'node:assert/strict';
import { call, referenceForm, segmentForm } from '../edge/harness/client.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';
import { ADMIN_KEY, assertRefusal, bankState } from './world.ts';

export interface MatrixContext {
  base: string;
  a: string;
  b: string;
  bank: string;
  scenes: TestScenes;
}

export async function tenantMatrix(ctx: MatrixContext): Promise<number> {
  const { base, a, b, bank, scenes } = ctx;
  let checks = 0;
  const before = await bankState(base, a, bank);
  const refId: string = ((before as any).references.references[0] as { id: string }).id;

  /** B's request is refused as if the resource did not exist; A's same request succeeds. */
  const isolated = async (what: string, method: string, path: string, options: Parameters<typeof call>[3] = {}, ownerStatus?: number) => {
    const asB = await call(base, method, path, { ...options, token: b });
    assertRefusal(asB, `tenant B: ${what}`, [404]);
    checks++;
    if (ownerStatus !== undefined) {
      const asA = await call(base, method, path, { ...options, token: a });
      assert.equal(asA.status, ownerStatus, `tenant A (control): ${what}: ${JSON.stringify(asA.body).slice(0, 300)}`);
      checks++;
    }
  };

  await isolated('view the bank', 'GET', `/v1/banks/${bank}`, {}, 200);
  await isolated('list its references', 'GET', `/v1/banks/${bank}/references`, {}, 200);
  await isolated('export it', 'GET', `/v1/banks/${bank}/export`, {}, 200);
  await isolated('segment with it', 'POST', `/v1/banks/${bank}/segment`, { form: segmentForm(scenes.target.bytes) }, 200);
  await isolated('delete it', 'DELETE', `/v1/banks/${bank}`);
  await isolated('delete one of its references by its real id', 'DELETE', `/v1/banks/${bank}/references/${refId}`);
  await isolated('delete one of its classes', 'DELETE', `/v1/banks/${bank}/classes/red`);
  await isolated('add a class', 'POST', `/v1/banks/${bank}/classes`, { json: { classes: ['intruder'] } });
  await isolated('add a reference', 'POST', `/v1/banks/${bank}/references`, {
    form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'red', mask: scenes.reference.masks[0] }] }]),
  });

  // B's bank list never shows A's; a bank of B with the same id is B's own, empty one.
  const listB = await call(base, 'GET', '/v1/banks', { token: b });
  assert.ok(!listB.body.banks.some((x: any) => x.id === bank), 'B lists none of A\'s banks');
  checks++;
  const twin = await call(base, 'POST', '/v1/banks', { token: b, json: { id: bank, name: 'B\'s own', classes: ['blue'] } });
  assert.equal(twin.status, 201, `B creates its own "${bank}": ${JSON.stringify(twin.body)}`);
  assert.equal(twin.body.referenceCount, 0);
  checks++;
  const twinRefs = await call(base, 'GET', `/v1/banks/${bank}/references`, { token: b });
  assert.deepEqual(twinRefs.body.references, [], 'B\'s twin bank holds none of A\'s references');
  checks++;
  assert.equal((await call(base, 'DELETE', `/v1/banks/${bank}`, { token: b })).status, 204);
  checks++;

  // Images: an imageId A uploaded is unknown to B (B's own bank, the same bytes' hash).
  const upload = await call(base, 'POST', '/v1/images', { token: a, body: scenes.target.bytes as BodyInit, headers: { 'Content-Type': 'image/png' } });
  assert.ok(upload.status === 200 || upload.status === 201, `A uploads an image: ${upload.status} ${JSON.stringify(upload.body)}`);
  const imageId: string = upload.body.imageId;
  const bBank = await call(base, 'POST', '/v1/banks', { token: b, json: { id: 'b-bank', name: 'B', classes: ['red'] } });
  assert.equal(bBank.status, 201);
  const addB = await call(base, 'POST', '/v1/banks/b-bank/references', {
    token: b,
    form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className: 'red', mask: scenes.reference.masks[0] }] }]),
  });
  assert.equal(addB.status, 201, JSON.stringify(addB.body));
  const byId = await call(base, 'POST', '/v1/banks/b-bank/segment', { token: b, json: { imageId } });
  assertRefusal(byId, 'tenant B: segment A\'s uploaded image by its id', [404]);
  checks++;
  const ownA = await call(base, 'POST', `/v1/banks/${bank}/segment`, { token: a, json: { imageId } });
  assert.equal(ownA.status, 200, `A (control) segments its uploaded image by id: ${JSON.stringify(ownA.body).slice(0, 300)}`);
  checks++;

  // Keys: a tenant key reaches no admin route, so no tenant can list or revoke another's keys.
  const keysOfA = await call(base, 'GET', '/v1/admin/keys?tenant=tenant-a', { token: ADMIN_KEY });
  assertRefusal(await call(base, 'GET', '/v1/admin/keys?tenant=tenant-a', { token: b }), 'tenant B: list A\'s keys', [403]);
  checks++;
  assertRefusal(await call(base, 'DELETE', `/v1/admin/keys/${keysOfA.body.keys[0].id}`, { token: b }), 'tenant B: revoke A\'s key', [403]);
  checks++;
  assert.equal((await call(base, 'GET', '/v1/banks', { token: a })).status, 200, 'A\'s key still works');
  checks++;

  assert.deepEqual(await bankState(base, a, bank), before, 'A\'s bank is exactly as before');
  checks++;
  return checks;
}

/**
 * The cached candidate set must not tell B that A sent these bytes. Today's invariant: B's
 * answer is B's own correct answer (same detections as from a fresh computation for B's bank).
 * Returns B's first answer so the caller can check the scoping itself.
 */
export async function crossTenantFirstSegment(ctx: MatrixContext): Promise<{ cache: string; detections: number }> {
  const { base, a, b, bank, scenes } = ctx;
  // The stand-in gpu-node takes seconds per new image, so this reuses the target A segments in
  // the matrix (A's request below is then a cache hit for A, as it should be).
  const image = scenes.target.bytes;
  const first = await call(base, 'POST', `/v1/banks/${bank}/segment`, { token: a, form: segmentForm(image) });
  assert.equal(first.status, 200, JSON.stringify(first.body).slice(0, 300));
  const byB = await call(base, 'POST', '/v1/banks/b-bank/segment', { token: b, form: segmentForm(image) });
  assert.equal(byB.status, 200, JSON.stringify(byB.body).slice(0, 300));
  assert.ok(Array.isArray(byB.body.detections));
  assert.ok(byB.body.detections.every((d: any) => d.class === 'red'), 'B\'s answer uses B\'s bank only');
  return { cache: byB.body.cache, detections: byB.body.detections.length };
}
