// In-memory stand-ins of the Workers KV and R2 bindings, following the documented binding API
// (async, metadata beside the value, paged list) but not KV's eventual consistency: they check a
// driver's mapping, not Cloudflare's guarantees.
import type { WorkersKvNamespace, WorkersR2Bucket, WorkersR2Object } from '../../edge/storage/workers.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

export class FakeKv implements WorkersKvNamespace {
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

export class FakeR2 implements WorkersR2Bucket {
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

