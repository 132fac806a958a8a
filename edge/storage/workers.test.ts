// The Workers driver against in-memory stand-ins of the KV and R2 bindings. The stand-ins
// follow the documented binding API (async, metadata beside the value, paged list) but not
// KV's eventual consistency, so this checks the driver's mapping, not Cloudflare's guarantees.
import { describe, expect, it } from 'vitest';
import { storageConformanceCases } from './conformance.ts';
import { kvSet } from './contract.ts';
import { createWorkersStorage } from './workers.ts';
import type { WorkersKvNamespace, WorkersR2Bucket, WorkersR2Object } from './workers.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

class FakeKv implements WorkersKvNamespace {
  readonly data = new Map<string, { value: Uint8Array; metadata: unknown }>();
  constructor(private readonly pageSize = 3) {}

  async getWithMetadata<M>(key: string) {
    await tick();
    const e = this.data.get(key);
    return e ? { value: e.value.slice().buffer as ArrayBuffer, metadata: e.metadata as M } : { value: null, metadata: null };
  }
  async put(key: string, value: ArrayBuffer | ArrayBufferView, options?: { metadata?: unknown }) {
    await tick();
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    this.data.set(key, { value: bytes.slice(), metadata: structuredClone(options?.metadata ?? null) });
  }
  async delete(key: string) {
    await tick();
    this.data.delete(key);
  }
  async list(options: { prefix?: string; cursor?: string }) {
    await tick();
    const names = [...this.data.keys()].filter((k) => k.startsWith(options.prefix ?? '')).sort();
    const start = options.cursor === undefined ? 0 : Number(options.cursor);
    const keys = names.slice(start, start + this.pageSize).map((name) => ({ name }));
    const done = start + this.pageSize >= names.length;
    return done ? { keys, list_complete: true } : { keys, list_complete: false, cursor: String(start + this.pageSize) };
  }
}

class FakeR2 implements WorkersR2Bucket {
  readonly data = new Map<string, { value: Uint8Array; customMetadata: Record<string, string> }>();
  async get(key: string): Promise<WorkersR2Object | null> {
    await tick();
    const e = this.data.get(key);
    if (!e) return null;
    return { arrayBuffer: async () => e.value.slice().buffer as ArrayBuffer, customMetadata: { ...e.customMetadata } };
  }
  async put(key: string, value: ArrayBuffer | ArrayBufferView, options?: { customMetadata?: Record<string, string> }) {
    await tick();
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    this.data.set(key, { value: bytes.slice(), customMetadata: { ...options?.customMetadata } });
  }
  async delete(key: string) {
    await tick();
    this.data.delete(key);
  }
}

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
