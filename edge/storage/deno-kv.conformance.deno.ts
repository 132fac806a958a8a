// The storage conformance suite on Deno KV, plus the bank layer's concurrency check on it.
// Run under Deno (vitest cannot load Deno KV):
//   deno test --unstable-kv --allow-read --allow-write edge/storage/deno-kv.conformance.deno.ts
import { storageConformanceCases } from './conformance.ts';
import type { Storage } from './contract.ts';
import { openDenoKvStorage } from './deno-kv.deno.ts';
import { createBankService } from '../banks/service.ts';

declare const Deno: {
  test(name: string, fn: () => Promise<void>): void;
  makeTempDirSync(options?: { prefix?: string }): string;
  makeTempFile(options?: { dir?: string; suffix?: string }): Promise<string>;
  removeSync(path: string, options?: { recursive?: boolean }): void;
};

const dir = Deno.makeTempDirSync({ prefix: 'refseg-deno-kv-' });
globalThis.addEventListener('unload', () => Deno.removeSync(dir, { recursive: true }));

let t = Date.UTC(2025, 0, 1);
const now = () => t;
const paths = new WeakMap<Storage, string>();

async function open(path: string): Promise<Storage> {
  const storage = await openDenoKvStorage(path, { now });
  paths.set(storage, path);
  return storage;
}

const cases = storageConformanceCases({
  name: 'deno-kv',
  guarantees: { atomic: true, durable: true },
  async create() {
    return open(await Deno.makeTempFile({ dir, suffix: '.kv' }));
  },
  async reopen(storage) {
    await storage.close();
    return open(paths.get(storage)!);
  },
  advanceClock(ms) {
    t += ms;
  },
});
for (const c of cases) Deno.test(`storage contract: deno-kv > ${c.name}`, c.run);

// Deno-specific: replacing or deleting a chunked value leaves no chunk entries behind.
Deno.test('deno-kv driver > replaced and deleted large values leave no chunks', async () => {
  const path = await Deno.makeTempFile({ dir, suffix: '.kv' });
  const storage = await open(path);
  const big = new Uint8Array(200_000).fill(7);
  await storage.kv.commit([], [{ type: 'set', key: 'a', value: big }]);
  await storage.kv.commit([], [{ type: 'set', key: 'a', value: big.subarray(0, 130_000) }]);
  await storage.kv.commit([], [{ type: 'set', key: 'b', value: big }]);
  await storage.kv.commit([], [{ type: 'delete', key: 'b' }]);
  await storage.blobs.put('c', big);
  await storage.blobs.put('c', big.subarray(0, 10));
  await storage.close();
  const kv = await (globalThis as unknown as { Deno: { openKv(p: string): Promise<RawKv> } }).Deno.openKv(path);
  const chunkKeys: string[] = [];
  for (const part of ['kv-chunk', 'blob-chunk']) {
    for await (const e of kv.list({ prefix: ['refseg', part] })) chunkKeys.push(e.key.join('/'));
  }
  kv.close();
  // 130 000 bytes = 2 chunks of the live value 'a'; nothing of 'b', nothing of the old 'c'.
  if (chunkKeys.length !== 2 || !chunkKeys.every((k) => k.startsWith('refseg/kv-chunk/a/'))) {
    throw new Error(`unexpected chunk entries: ${JSON.stringify(chunkKeys)}`);
  }
});

interface RawKv {
  list(selector: { prefix: unknown[] }): AsyncIterable<{ key: unknown[] }>;
  close(): void;
}

// The bank layer on Deno KV: concurrent additions to one bank all land, and survive a reopen.
Deno.test('deno-kv driver > concurrent reference additions to one bank all land', async () => {
  const path = await Deno.makeTempFile({ dir, suffix: '.kv' });
  const storage = await open(path);
  const banks = createBankService({ kv: storage.kv, modelId: 'm', pipelineId: 'p' });
  await banks.createBank('t', { id: 'k', name: 'K', classes: ['cat'] });
  const mask = { size: [1, 1] as [number, number], counts: '1' };
  const adds = Array.from({ length: 6 }, (_, i) =>
    banks.addReferences('t', 'k', [{ className: 'cat', source: { annotation: 'box' } }], async () => {
      await new Promise((resolve) => setTimeout(resolve, i % 2));
      return { modelId: 'm', references: [{ vector: Float32Array.of(1, i), mask }] };
    }),
  );
  const added = (await Promise.all(adds)).map((r) => r.references[0].id).sort();
  await storage.close();
  const reopened = await open(path);
  const listed = (await createBankService({ kv: reopened.kv, modelId: 'm', pipelineId: 'p' }).listReferences('t', 'k')).map((r) => r.id).sort();
  await reopened.close();
  if (JSON.stringify(listed) !== JSON.stringify(added) || listed.length !== 6) {
    throw new Error(`expected ${JSON.stringify(added)}, listed ${JSON.stringify(listed)}`);
  }
});
