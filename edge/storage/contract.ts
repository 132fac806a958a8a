// The one storage contract of the edge tier (in the spirit of unstorage: one interface, one
// driver per backend). Drivers: memory.ts (tests, single process), sqlite.node.ts (Node, the
// embedded default), deno-kv.deno.ts (Deno), workers.ts (Cloudflare KV + R2), durable-banks.ts
// (Cloudflare: banks in Durable Objects, the rest as workers.ts).
//
// Two namespaces:
// - `kv`: durable records (banks, references, API keys). Byte values with a version per key and
//   one write primitive, `commit(checks, mutations)`: every check must still hold (the key's
//   version is the one read, or the key is absent for `null`) or nothing is written. This is
//   Deno KV's `atomic().check()` model; SQLite runs it in one IMMEDIATE transaction; memory runs
//   it synchronously. A read-modify-write is: get → compute → commit with a check on what was
//   read → retry on `null`. Workers KV has no such primitive: see workers.ts for what it
//   guarantees (`guarantees.atomic` is false there).
// - `blobs`: a cache for candidate sets (bytes, optional TTL). A miss is always acceptable, so
//   no versions and no atomicity across keys.
import { InternalError } from '../../shared/errors.ts';

export interface KvEntry {
  key: string;
  value: Uint8Array;
  /** Opaque; changes on every write of the key. Compare only for equality. */
  version: string;
}

/** `version: null` requires the key to be absent. */
export interface KvCheck {
  key: string;
  version: string | null;
}

export type KvMutation = { type: 'set'; key: string; value: Uint8Array } | { type: 'delete'; key: string };

export interface KvStore {
  get(key: string): Promise<KvEntry | null>;
  /** Same order as `keys`; null for absent keys. */
  getMany(keys: readonly string[]): Promise<(KvEntry | null)[]>;
  /** Every entry whose key starts with `prefix`, ascending by key (byte order). */
  list(prefix: string): Promise<KvEntry[]>;
  /**
   * Applies all mutations if every check holds, none otherwise. Resolves to the new version of
   * the written keys, or null when a check failed. Deleting an absent key is not an error.
   */
  commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<string | null>;
}

export interface BlobPutOptions {
  /** Seconds until the entry may no longer be returned. Absent: kept until evicted or deleted. */
  ttlSeconds?: number;
}

export interface BlobCache {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, value: Uint8Array, options?: BlobPutOptions): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface StorageGuarantees {
  /** `commit` is all-or-nothing and its checks hold against concurrent writers. */
  atomic: boolean;
  /** An acknowledged write survives a process restart. */
  durable: boolean;
}

export interface Storage {
  readonly driver: string;
  readonly guarantees: StorageGuarantees;
  readonly kv: KvStore;
  readonly blobs: BlobCache;
  close(): Promise<void>;
}

/**
 * Longest key every backend accepts (Workers KV: 512 bytes; Deno KV 2048, R2 1024). Keys are
 * restricted to printable ASCII so that string order, byte order and every backend's order agree
 * and `prefix + '\x7f'` bounds a prefix range.
 */
export const MAX_KEY_LENGTH = 512;
const KEY_PATTERN = /^[\x21-\x7e]+$/;
/** Upper bound (exclusive) of every key that starts with a prefix. */
export const PREFIX_END = '\x7f';

/** A driver was given a key outside the contract: a bug in the calling code, not user input. */
export class StorageKeyError extends InternalError {
  constructor(key: string) {
    super(`Storage key ${JSON.stringify(key.slice(0, 80))} is empty, too long or not printable ASCII.`);
  }
}

/** The backend refused an operation (size limits, I/O); the operation stored nothing. */
export class StorageError extends InternalError {}

export function assertKey(key: string): void {
  if (key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key)) throw new StorageKeyError(key);
}

export function assertPrefix(prefix: string): void {
  if (prefix !== '') assertKey(prefix);
}

/** Any string as one key segment: printable ASCII without '/', so it cannot escape its prefix. */
export function keySegment(text: string): string {
  return encodeURIComponent(text);
}

export function assertTtl(options: BlobPutOptions | undefined): void {
  const ttl = options?.ttlSeconds;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) throw new StorageError(`Blob TTL must be a positive number of seconds, got ${ttl}.`);
}

/** What a KV driver implements; keys and prefixes reach it checked (checkedKv). */
export interface KvDriver {
  read(key: string): Promise<KvEntry | null>;
  list(prefix: string): Promise<KvEntry[]>;
  commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<string | null>;
}

/** A driver as a KvStore: every key and prefix checked against the contract first; getMany reads key by key. */
export function checkedKv(driver: KvDriver): KvStore {
  return {
    async get(key) {
      assertKey(key);
      return driver.read(key);
    },
    async getMany(keys) {
      keys.forEach(assertKey);
      return Promise.all(keys.map((key) => driver.read(key)));
    },
    async list(prefix) {
      assertPrefix(prefix);
      return driver.list(prefix);
    },
    async commit(checks, mutations) {
      checks.forEach((c) => assertKey(c.key));
      mutations.forEach((m) => assertKey(m.key));
      return driver.commit(checks, mutations);
    },
  };
}

/** A blob driver as a BlobCache: keys and TTLs checked against the contract first. */
export function checkedBlobs(driver: BlobCache): BlobCache {
  return {
    async get(key) {
      assertKey(key);
      return driver.get(key);
    },
    async put(key, value, options) {
      assertKey(key);
      assertTtl(options);
      return driver.put(key, value, options);
    },
    async delete(key) {
      assertKey(key);
      return driver.delete(key);
    },
  };
}

/** Unconditional write of one key; resolves to its new version. */
export async function kvSet(kv: KvStore, key: string, value: Uint8Array): Promise<string> {
  const version = await kv.commit([], [{ type: 'set', key, value }]);
  if (version === null) throw new StorageError('An unconditional write reported a failed check.');
  return version;
}

export async function kvDelete(kv: KvStore, key: string): Promise<void> {
  await kv.commit([], [{ type: 'delete', key }]);
}
