// The Durable Object bank store's routing and tenant index, with each object played by an atomic
// in-memory store (what RefsegBankObject is: one transactional key space per object). The real
// objects in workerd are exercised by test/hostile/workers-banks.test.ts.
import { describe, expect, it } from 'vitest';
import { FakeKv, FakeR2 } from '../../test/storage/workers-bindings.ts';
import { bodyKey } from '../banks/records.ts';
import { createBankService } from '../banks/service.ts';
import { updateBank } from '../banks/update.ts';
import { kvSet } from './contract.ts';
import type { KvStore } from './contract.ts';
import { createDurableBankStorage } from './durable-banks.ts';
import type { BankObjectNamespace, BankObjectStub } from './durable-banks.ts';
import { createMemoryStorage } from './memory.ts';

class FakeNamespace implements BankObjectNamespace {
  readonly objects = new Map<string, KvStore>();
  idFromName(name: string) {
    return { name };
  }
  get(id: unknown): BankObjectStub {
    const { name } = id as { name: string };
    if (!this.objects.has(name)) this.objects.set(name, createMemoryStorage().kv);
    const kv = this.objects.get(name)!;
    // Every call crosses an RPC boundary: asynchronous (a random 0–2 ms, so concurrent callers
    // interleave in many orders), arguments and results copied.
    const tick = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
    return {
      read: async (key) => (await tick(), structuredClone(await kv.get(key))),
      list: async (prefix) => (await tick(), structuredClone(await kv.list(prefix))),
      commit: async (checks, mutations) => (await tick(), kv.commit(structuredClone(checks), structuredClone(mutations))),
    };
  }
  keysOf(name: string) {
    return this.objects.get(name)?.list('').then((es) => es.map((e) => e.key)) ?? Promise.resolve([]);
  }
}

function setup() {
  const kv = new FakeKv();
  const banks = new FakeNamespace();
  const storage = createDurableBankStorage({ kv, r2: new FakeR2(), banks });
  const service = createBankService({ kv: storage.kv, modelId: 'm', pipelineId: 'p', dim: 4 });
  return { kv, banks, storage, service };
}

describe('Durable Object bank store', () => {
  it('keeps a bank\'s record and bodies in its own object, its id in the tenant\'s index, other records in KV', async () => {
    const { kv, banks, storage, service } = setup();
    await service.createBank('acme', { id: 'shelf', name: 'Shelf', classes: ['can'] });
    await kvSet(storage.kv, bodyKey('acme', 'shelf', 'u'.repeat(32), 'ref_1'), new Uint8Array([1]));
    await kvSet(storage.kv, 'auth/hash/abc', new Uint8Array([2]));
    expect(await banks.keysOf('bank/acme/shelf')).toEqual(['banks/acme/shelf', `refs/acme/shelf/${'u'.repeat(32)}/ref_1`]);
    expect(await banks.keysOf('tenant/acme')).toEqual(['index/shelf']);
    expect([...kv.data.keys()]).toEqual(['auth/hash/abc']);
    expect(storage.guarantees).toEqual({ atomic: true, durable: true });
  });

  it('50 concurrent read-modify-writes of one bank all land', async () => {
    const { storage, service } = setup();
    await service.createBank('acme', { id: 'race', name: 'Race', classes: ['a'] });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        updateBank(storage.kv, 'acme', 'race', ({ record }) => ({
          next: { ...record, references: [...record.references, { id: `ref_${String(i).padStart(16, '0')}`, className: 'a', negative: false }] },
          result: {},
        })),
      ),
    );
    const entry = await storage.kv.get('banks/acme/race');
    expect(JSON.parse(new TextDecoder().decode(entry!.value)).references).toHaveLength(50);
  });

  it('lists a tenant\'s banks through the index, follows deletion and re-creation, and skips stale ids', async () => {
    const { banks, storage, service } = setup();
    for (const id of ['b1', 'b2', 'b3']) await service.createBank('acme', { id, name: id, classes: ['x'] });
    await service.createBank('globex', { id: 'b1', name: 'theirs', classes: ['y'] });
    const ids = async (tenant: string) => (await service.listBanks(tenant)).map((b) => b.id);
    expect(await ids('acme')).toEqual(['b1', 'b2', 'b3']);
    expect(await ids('globex')).toEqual(['b1']);
    await service.deleteBank('acme', 'b2');
    expect(await ids('acme')).toEqual(['b1', 'b3']);
    expect(await banks.keysOf('tenant/acme')).toEqual(['index/b1', 'index/b3']);
    await service.createBank('acme', { id: 'b2', name: 'again', classes: ['x'] });
    // Oldest first: the new b2 comes last.
    expect(await ids('acme')).toEqual(['b1', 'b3', 'b2']);
    // An index entry whose bank never landed (a Worker that died mid-creation) is skipped.
    await banks.get(banks.idFromName('tenant/acme')).commit([], [{ type: 'set', key: 'index/ghost', value: new Uint8Array(0) }]);
    expect(await ids('acme')).toEqual(['b1', 'b3', 'b2']);
    expect((await storage.kv.list('banks/acme/b')).map((e) => e.key)).toEqual(['banks/acme/b1', 'banks/acme/b2', 'banks/acme/b3']);
  });

  it('a deletion racing a re-creation of the same id never leaves the new bank unlisted', async () => {
    for (let round = 0; round < 60; round++) {
      const { service } = setup();
      await service.createBank('acme', { id: 'x', name: 'old', classes: ['a'] });
      const [, created] = await Promise.allSettled([service.deleteBank('acme', 'x'), service.createBank('acme', { id: 'x', name: 'new', classes: ['a'] })]);
      const exists = await service.getBank('acme', 'x').then(
        () => true,
        () => false,
      );
      const listed = (await service.listBanks('acme')).some((b) => b.id === 'x');
      expect(listed, `round ${round}: created ${created.status}, exists ${exists}`).toBe(exists);
    }
  });

  it('refuses a commit across banks, or a listing that spans every bank', async () => {
    const { storage } = setup();
    const one = { type: 'set' as const, key: 'banks/acme/a', value: new Uint8Array([1]) };
    const other = { type: 'set' as const, key: 'banks/acme/b', value: new Uint8Array([1]) };
    await expect(storage.kv.commit([], [one, other])).rejects.toThrow(/spans several banks/);
    await expect(storage.kv.commit([], [one, { type: 'set', key: 'auth/x', value: new Uint8Array([1]) }])).rejects.toThrow(/spans several banks/);
    await expect(storage.kv.list('banks/')).rejects.toThrow(/span several banks/);
    await expect(storage.kv.list('')).rejects.toThrow(/span several banks/);
    await expect(storage.kv.get('refs/acme')).rejects.toThrow(/names no bank/);
  });
});
