// Cloudflare Workers driver over KV alone: Workers KV for records, R2 for candidate sets. The bindings are
// typed with the few members used here, so the file needs no @cloudflare/workers-types.
//
// What it guarantees — honestly less than the other drivers:
// - Workers KV has no conditional write and no multi-key transaction. `commit` reads the checked
//   keys' versions (kept in each key's metadata), compares, then writes. Two writers can both
//   pass their checks before either writes; the last write wins and the other is lost although
//   it was acknowledged. A failure midway may leave some mutations of a commit applied.
// - KV is eventually consistent: a write is visible at once in the location that made it but
//   may take 60 s or more to reach other locations, and reads are cached at the edge.
// The bank layer limits the damage (a bank write changes one key, its manifest, last; see
// edge/banks/), so a lost race loses a whole addition, never half of one. That is enough for a
// bank edited by one client at a time. The Workers adapter therefore keeps banks in Durable
// Objects (durable-banks.ts, `atomic: true`) and uses this driver's KV half for API keys only.
import { checkedBlobs, checkedKv, StorageError } from './contract.ts';
import type { BlobCache, KvCheck, KvEntry, KvMutation, KvStore, Storage } from './contract.ts';

interface VersionMetadata {
  v: string;
}

/** The members of a Workers `KVNamespace` binding this driver uses. */
export interface WorkersKvNamespace {
  getWithMetadata<M = unknown>(key: string, options: { type: 'arrayBuffer' }): Promise<{ value: ArrayBuffer | null; metadata: M | null }>;
  put(key: string, value: ArrayBuffer | ArrayBufferView, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix?: string; cursor?: string }): Promise<{ keys: { name: string }[]; list_complete: boolean; cursor?: string }>;
}

export interface WorkersR2Object {
  arrayBuffer(): Promise<ArrayBuffer>;
  customMetadata?: Record<string, string>;
}

/** The members of a Workers `R2Bucket` binding this driver uses. */
export interface WorkersR2Bucket {
  get(key: string): Promise<WorkersR2Object | null>;
  put(key: string, value: ArrayBuffer | ArrayBufferView, options?: { customMetadata?: Record<string, string> }): Promise<unknown>;
  delete(key: string): Promise<void>;
}

export interface WorkersStorageOptions {
  kv: WorkersKvNamespace;
  r2: WorkersR2Bucket;
  /** Prefix of every R2 object key (the bucket may hold other objects). */
  blobPrefix?: string;
  /** Milliseconds since the epoch; blob expiry reads it (tests advance it). */
  now?: () => number;
}

export function createWorkersStorage(options: WorkersStorageOptions): Storage {
  const now = options.now ?? Date.now;
  return {
    driver: 'workers',
    guarantees: { atomic: false, durable: true },
    kv: workersKv(options.kv),
    blobs: r2Blobs(options.r2, options.blobPrefix ?? 'refseg/candidates/', now),
    async close() {},
  };
}

export function workersKv(ns: WorkersKvNamespace): KvStore {
  const read = async (key: string): Promise<KvEntry | null> => {
    const { value, metadata } = await ns.getWithMetadata<VersionMetadata>(key, { type: 'arrayBuffer' });
    if (value === null) return null;
    if (typeof metadata?.v !== 'string') throw new StorageError(`Workers KV entry "${key}" has no refseg version metadata.`);
    return { key, value: new Uint8Array(value), version: metadata.v };
  };

  return checkedKv({
    read,
    async list(prefix) {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ns.list(cursor === undefined ? { prefix } : { prefix, cursor });
        for (const k of page.keys) names.push(k.name);
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor !== undefined);
      // Deleted between listing and reading: skipped, as if listed a moment later.
      const entries = await Promise.all(names.map(read));
      return entries.filter((e): e is KvEntry => e !== null).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]) {
      const current = await Promise.all(checks.map((c) => read(c.key)));
      if (checks.some((c, i) => (current[i]?.version ?? null) !== c.version)) return null;
      const version = crypto.randomUUID();
      const metadata: VersionMetadata = { v: version };
      await Promise.all(mutations.map((m) => (m.type === 'set' ? ns.put(m.key, m.value, { metadata }) : ns.delete(m.key))));
      return version;
    },
  });
}

/**
 * R2 has no per-object TTL (lifecycle rules expire by age in days), so the deadline travels in
 * the object's custom metadata and an expired object reads as a miss and is deleted.
 */
export function r2Blobs(bucket: WorkersR2Bucket, prefix: string, now: () => number): BlobCache {
  return checkedBlobs({
    async get(key) {
      const object = await bucket.get(prefix + key);
      if (object === null) return null;
      const expiresAt = object.customMetadata?.expiresAt;
      if (expiresAt !== undefined && Number(expiresAt) <= now()) {
        await bucket.delete(prefix + key);
        return null;
      }
      return new Uint8Array(await object.arrayBuffer());
    },
    async put(key, value, options) {
      const ttl = options?.ttlSeconds;
      await bucket.put(prefix + key, value, ttl === undefined ? {} : { customMetadata: { expiresAt: String(now() + ttl * 1000) } });
    },
    async delete(key) {
      await bucket.delete(prefix + key);
    },
  });
}
