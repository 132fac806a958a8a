// N concurrent reference additions to one bank, each a different class (so every one is
// identifiable in the bank afterwards): every acknowledged addition must be in the bank.
import assert from 'node:assert/strict';
import { call, referenceForm } from '../edge/harness/client.ts';
import type { TestScenes } from '../edge/harness/scenes.ts';

export async function concurrentAdditions(base: string, a: string, scenes: TestScenes, n: number): Promise<void> {
  const bankId = `race-${n}`;
  const classes = Array.from({ length: n }, (_, i) => `c${i}`);
  const created = await call(base, 'POST', '/v1/banks', { token: a, json: { id: bankId, name: 'race', classes } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const answers = await Promise.all(
    classes.map((className, i) =>
      call(base, 'POST', `/v1/banks/${bankId}/references`, {
        token: a,
        form: referenceForm([{ image: scenes.reference.bytes, annotations: [{ className, mask: scenes.reference.masks[i % 2] }] }]),
      }),
    ),
  );
  const statuses = answers.map((r) => r.status);
  assert.deepEqual(statuses, classes.map(() => 201), `statuses: ${JSON.stringify(statuses)} ${JSON.stringify(answers.find((r) => r.status !== 201)?.body)}`);
  const acknowledged = answers.flatMap((r) => (r.body.references ?? []).map((x: any) => x.id)).sort();
  assert.equal(acknowledged.length, n, 'one new reference per answer');
  const listed = await call(base, 'GET', `/v1/banks/${bankId}/references`, { token: a });
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.body.references.map((r: any) => r.id).sort(), acknowledged);
  const view = await call(base, 'GET', `/v1/banks/${bankId}`, { token: a });
  assert.equal(view.body.referenceCount, n);
  assert.deepEqual(view.body.classes.map((c: any) => c.positives), classes.map(() => 1));
}
