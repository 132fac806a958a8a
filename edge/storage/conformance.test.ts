import { afterAll, describe, it } from 'vitest';
import { storageConformanceCases } from './conformance.ts';
import { memoryHarness, sqliteHarness } from './harnesses.node.ts';

const sqlite = sqliteHarness();
afterAll(() => sqlite.dispose());

for (const harness of [memoryHarness(), sqlite]) {
  describe(`storage contract: ${harness.name}`, () => {
    for (const c of storageConformanceCases(harness)) it(c.name, c.run);
  });
}
