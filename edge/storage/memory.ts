// In-process driver: tests and single-process deployments that may lose everything on restart.
// `commit` runs without an await between its checks and its writes, so it is atomic against
// every other caller in the same JavaScript realm.
import { checkedBlobs, checkedKv } from './contract.ts';
import type { BlobCache, BlobPutOptions, KvCheck, KvEntry, KvMutation, KvStore, Storage } from './contract.ts';

export interface MemoryStorageOptions {
  /** Milliseconds since the epoch; blob expiry reads it (tests advance it). */
  now?: () => number;
  /** Blob bytes kept before the least recently used blobs are evicted (default 256 MiB). */
  maxBlobBytes?: number;
}

interface Slot {
  value: Uint8Array;
  version: string;
}

export function createMemoryStorage(options: MemoryStorageOptions = {}): Storage {
  const now = options.now ?? Date.now;
  return {
    driver: 'memory',
    guarantees: { atomic: true, durable: false },
    kv: createMemoryKv(),
    blobs: createMemoryBlobs(now, options.maxBlobBytes ?? 256 * 1024 * 1024),
    async close() {},
  };
}

function createMemoryKv(): KvStore {
  const slots = new Map<string, Slot>();
  let clock = 0;
  const entry = (key: string, slot: Slot): KvEntry => ({ key, value: slot.value.slice(), version: slot.version });

  return checkedKv({
    async read(key) {
      const slot = slots.get(key);
      return slot ? entry(key, slot) : null;
    },
    async list(prefix) {
      return [...slots.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, slot]) => entry(key, slot));
    },
    async commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]) {
      for (const check of checks) {
        if ((slots.get(check.key)?.version ?? null) !== check.version) return null;
      }
      const version = String(++clock);
      for (const m of mutations) {
        if (m.type === 'set') slots.set(m.key, { value: m.value.slice(), version });
        else slots.delete(m.key);
      }
      return version;
    },
  });
}

// A Map iterates in insertion order: re-inserting on use makes its first entry the least
// recently used one.
function createMemoryBlobs(now: () => number, maxBytes: number): BlobCache {
  const blobs = new Map<string, { value: Uint8Array; expiresAt: number }>();
  let total = 0;
  const remove = (key: string) => {
    const blob = blobs.get(key);
    if (blob === undefined) return;
    total -= blob.value.length;
    blobs.delete(key);
  };
  return checkedBlobs({
    async get(key) {
      const blob = blobs.get(key);
      if (!blob) return null;
      remove(key);
      if (blob.expiresAt <= now()) return null;
      blobs.set(key, blob);
      total += blob.value.length;
      return blob.value.slice();
    },
    async put(key, value, options?: BlobPutOptions) {
      const ttl = options?.ttlSeconds;
      remove(key);
      blobs.set(key, { value: value.slice(), expiresAt: ttl === undefined ? Infinity : now() + ttl * 1000 });
      total += value.length;
      for (const oldest of blobs.keys()) {
        if (total <= maxBytes) break;
        remove(oldest);
      }
    },
    async delete(key) {
      remove(key);
    },
  });
}
