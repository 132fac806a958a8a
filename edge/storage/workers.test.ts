// The Workers driver against in-memory stand-ins of the KV and R2 bindings. The stand-ins
// follow the documented binding API (async, metadata beside the value, paged list) but not
// KV's eventual consistency, so this checks the driver's mapping, not Cloudflare's guarantees.
import { describe, expect, it } from 'vitest';
import { storageConformanceCases } from './conformance.ts';
import { kvSet } from './contract.ts';
import { createWorkersStorage } from './workers.ts';
import { FakeKv, FakeR2 } from '../../test/storage/workers-bindings.ts';

let t = Date.UTC(2025, 0, 1);
const bindings = new WeakMap<object, { kv: FakeKv; r2: FakeR2 }>();

describe('storage contract: workers (KV + R2 stand-ins)', () => {
  const cases = storageConformanceCases({
    name: 'workers',
    guarantees: { atomic: false, durable: true },
    async create() {
      const b = { kv: new FakeKv(), r2: new FakeR2() };
      const storage = createWorkersStorage({ ...b, now: () => t });
      bindings.set(storage, b);
      return storage;
    },
    // A Worker restart keeps the bindings: KV and R2 live outside the isolate.
    async reopen(storage) {
      const b = bindings.get(storage)!;
      return createWorkersStorage({ ...b, now: () => t });
    },
    advanceClock(ms) {
      t += ms;
    },
  });
  for (const c of cases) it(c.name, c.run);
});

describe('workers driver', () => {
  it('keeps versions in KV metadata and candidate sets under the blob prefix in R2', async () => {
    const kv = new FakeKv();
    const r2 = new FakeR2();
    const storage = createWorkersStorage({ kv, r2, blobPrefix: 'cs/', now: () => 1000 });
    const version = await kvSet(storage.kv, 'banks/t/b', new Uint8Array([1]));
    expect(kv.data.get('banks/t/b')?.metadata).toEqual({ v: version });
    await storage.blobs.put('abc', new Uint8Array([9]), { ttlSeconds: 2 });
    expect([...r2.data.keys()]).toEqual(['cs/abc']);
    expect(r2.data.get('cs/abc')?.customMetadata).toEqual({ expiresAt: '3000' });
  });

  it('refuses a KV entry written without refseg version metadata', async () => {
    const kv = new FakeKv();
    await kv.put('foreign', new Uint8Array([1]));
    const storage = createWorkersStorage({ kv, r2: new FakeR2() });
    await expect(storage.kv.get('foreign')).rejects.toThrow(/no refseg version metadata/);
  });
});
