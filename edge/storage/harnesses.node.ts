// Conformance harnesses for the drivers that run under Node: memory and an SQLite file in a
// temporary directory. Test-only; the bank tests reuse them to run against every driver.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageHarness } from './conformance.ts';
import type { Storage } from './contract.ts';
import { createMemoryStorage } from './memory.ts';
import { openSqliteStorage } from './sqlite.node.ts';

/** A clock the drivers read and the harness advances. */
function fakeClock() {
  let t = Date.UTC(2025, 0, 1);
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

export function memoryHarness(): StorageHarness {
  const clock = fakeClock();
  return {
    name: 'memory',
    guarantees: { atomic: true, durable: false },
    async create() {
      return createMemoryStorage({ now: clock.now });
    },
    advanceClock: clock.advance,
  };
}

export interface DisposableHarness extends StorageHarness {
  /** Removes the temporary files. */
  dispose(): void;
}

export function sqliteHarness(): DisposableHarness {
  const clock = fakeClock();
  const dir = mkdtempSync(join(tmpdir(), 'refseg-sqlite-'));
  const paths = new WeakMap<Storage, string>();
  let n = 0;
  const open = (path: string) => {
    const storage = openSqliteStorage(path, { now: clock.now });
    paths.set(storage, path);
    return storage;
  };
  return {
    name: 'sqlite',
    guarantees: { atomic: true, durable: true },
    async create() {
      return open(join(dir, `store-${++n}.sqlite`));
    },
    async reopen(storage) {
      const path = paths.get(storage);
      if (path === undefined) throw new Error('not a storage of this harness');
      await storage.close();
      return open(path);
    },
    advanceClock: clock.advance,
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
