// Deno driver: Deno KV (a local SQLite file under `deno run --unstable-kv`, or Deno Deploy).
// Imported only by the Deno runtime adapter; Deno's types are declared loosely below so that
// `tsc` under Node checks this file too.
//
// `commit` maps onto `atomic().check().set().delete().commit()`, so checks hold against every
// concurrent writer. Deno KV limits (measured on Deno 2.9): a value ≤ 65 536 bytes, ≤ 100 checks,
// ≤ 1000 mutations and ≈ 800 KiB per atomic, ≤ 10 keys per getMany. Larger values are split:
// the key's head entry (which carries the version) names a generation of immutable chunk
// entries written before the head, so a reader sees either the old or the new value, never a
// mix. Chunks of a replaced value are deleted after the commit; a crash in between leaves
// unreachable chunks behind, never a wrong value. A commit above the atomic limits is refused
// with StorageError and writes nothing visible.
import { checkedBlobs, checkedKv, PREFIX_END, StorageError } from './contract.ts';
import type { BlobCache, KvCheck, KvEntry, KvMutation, KvStore, Storage } from './contract.ts';

type DenoKey = readonly (string | number)[];

interface DenoKvEntryLike {
  key: DenoKey;
  value: unknown;
  versionstamp: string | null;
}

interface DenoAtomicLike {
  check(...checks: { key: DenoKey; versionstamp: string | null }[]): DenoAtomicLike;
  set(key: DenoKey, value: unknown, options?: { expireIn?: number }): DenoAtomicLike;
  delete(key: DenoKey): DenoAtomicLike;
  commit(): Promise<{ ok: boolean; versionstamp?: string }>;
}

/** The part of `Deno.Kv` this driver uses. */
export interface DenoKvLike {
  get(key: DenoKey): Promise<DenoKvEntryLike>;
  getMany(keys: DenoKey[]): Promise<DenoKvEntryLike[]>;
  list(selector: { start: DenoKey; end: DenoKey }): AsyncIterable<DenoKvEntryLike>;
  atomic(): DenoAtomicLike;
  close(): void;
}

export interface DenoKvStorageOptions {
  /** First key part of every entry, so one KV database can hold other data too. */
  root?: string;
  /** Milliseconds since the epoch; blob expiry reads it (tests advance it). */
  now?: () => number;
}

/** Largest value stored inline in a head entry (the rest of the 65 536 bytes is head overhead). */
const INLINE_MAX = 60_000;
const CHUNK_SIZE = 65_536;
/** Chunks per atomic: 10 × 64 KiB stays under the ≈ 800 KiB commit limit. */
const CHUNKS_PER_COMMIT = 10;
const GET_MANY_MAX = 10;
const READ_ATTEMPTS = 5;

/** A head entry: the value itself, or the generation of chunks that hold it. */
type Head = { data: Uint8Array; expiresAt?: number } | { gen: string; chunks: number; size: number; expiresAt?: number };

/**
 * Opens Deno KV at `path` (a file, ':memory:', or default when undefined) or wraps an already
 * opened `Deno.Kv`. Needs `--unstable-kv` on Deno 2.
 */
export async function openDenoKvStorage(source?: string | DenoKvLike, options: DenoKvStorageOptions = {}): Promise<Storage> {
  const kv = typeof source === 'object' ? source : await openKv(source);
  const root = options.root ?? 'refseg';
  const now = options.now ?? Date.now;
  const kvSpace = new ChunkedSpace(kv, [root, 'kv'], [root, 'kv-chunk']);
  const blobSpace = new ChunkedSpace(kv, [root, 'blob'], [root, 'blob-chunk']);
  return {
    driver: 'deno-kv',
    guarantees: { atomic: true, durable: true },
    kv: denoKvStore(kvSpace),
    blobs: denoBlobs(blobSpace, now),
    async close() {
      kv.close();
    },
  };
}

async function openKv(path: string | undefined): Promise<DenoKvLike> {
  const deno = (globalThis as { Deno?: { openKv?: (path?: string) => Promise<DenoKvLike> } }).Deno;
  if (typeof deno?.openKv !== 'function') throw new StorageError('Deno.openKv is not available: run under Deno with --unstable-kv.');
  return deno.openKv(path);
}

function isHead(value: unknown): value is Head {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.data instanceof Uint8Array || (typeof v.gen === 'string' && typeof v.chunks === 'number' && typeof v.size === 'number');
}

/** Heads under `headPrefix`, chunks under `chunkPrefix`; keys are contract keys. */
class ChunkedSpace {
  constructor(
    readonly kv: DenoKvLike,
    readonly headPrefix: DenoKey,
    readonly chunkPrefix: DenoKey,
  ) {}

  head(key: string): DenoKey {
    return [...this.headPrefix, key];
  }

  chunk(key: string, gen: string, i: number): DenoKey {
    return [...this.chunkPrefix, key, gen, i];
  }

  /**
   * Head to store for `value`; big values first get their chunks written (invisible until the
   * head is). Chunks outlive a head that expires `expireIn` ms after them by a minute.
   */
  async prepare(key: string, value: Uint8Array, expireIn?: number): Promise<Head> {
    if (value.length <= INLINE_MAX) return { data: value.slice() };
    const gen = crypto.randomUUID();
    const chunks = Math.ceil(value.length / CHUNK_SIZE);
    const chunkOptions = expireIn === undefined ? undefined : { expireIn: expireIn + 60_000 };
    for (let first = 0; first < chunks; first += CHUNKS_PER_COMMIT) {
      let op = this.kv.atomic();
      for (let i = first; i < Math.min(chunks, first + CHUNKS_PER_COMMIT); i++) {
        op = op.set(this.chunk(key, gen, i), value.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), chunkOptions);
      }
      await wrap(op.commit(), 'write value chunks');
    }
    return { gen, chunks, size: value.length };
  }

  /** The value a head names, or null if its chunks are gone (the head was replaced meanwhile). */
  async resolve(key: string, head: Head): Promise<Uint8Array | null> {
    if ('data' in head) return head.data.slice();
    const out = new Uint8Array(head.size);
    for (let first = 0; first < head.chunks; first += GET_MANY_MAX) {
      const keys: DenoKey[] = [];
      for (let i = first; i < Math.min(head.chunks, first + GET_MANY_MAX); i++) keys.push(this.chunk(key, head.gen, i));
      const entries = await wrap(this.kv.getMany(keys), 'read value chunks');
      for (const [j, e] of entries.entries()) {
        if (!(e.value instanceof Uint8Array)) return null;
        out.set(e.value, (first + j) * CHUNK_SIZE);
      }
    }
    return out;
  }

  /** The head entry of `key`, or null when absent. */
  async headEntry(key: string): Promise<{ head: Head; version: string } | null> {
    const entry = await wrap(this.kv.get(this.head(key)), 'read');
    if (entry.versionstamp === null) return null;
    if (!isHead(entry.value)) throw new StorageError(`Deno KV entry for "${key}" is not a refseg value.`);
    return { head: entry.value, version: entry.versionstamp };
  }

  /** Reads a head and its value consistently (retrying if the value was replaced under us). */
  async read(key: string): Promise<{ value: Uint8Array; version: string } | null> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const entry = await this.headEntry(key);
      if (entry === null) return null;
      const value = await this.resolve(key, entry.head);
      if (value) return { value, version: entry.version };
    }
    throw new StorageError(`The value of "${key}" kept changing while being read.`);
  }

  /** Current heads of `keys` (null where absent), to clean up their chunks later. */
  async heads(keys: readonly string[]): Promise<(Head | null)[]> {
    const out: (Head | null)[] = [];
    for (let first = 0; first < keys.length; first += GET_MANY_MAX) {
      const batch = keys.slice(first, first + GET_MANY_MAX).map((k) => this.head(k));
      const entries = await wrap(this.kv.getMany(batch), 'read');
      for (const e of entries) out.push(isHead(e.value) ? e.value : null);
    }
    return out;
  }

  /** Best effort: unreachable chunks only waste space. */
  async dropChunks(key: string, head: Head | null): Promise<void> {
    if (head === null || 'data' in head) return;
    try {
      for (let first = 0; first < head.chunks; first += CHUNKS_PER_COMMIT) {
        let op = this.kv.atomic();
        for (let i = first; i < Math.min(head.chunks, first + CHUNKS_PER_COMMIT); i++) op = op.delete(this.chunk(key, head.gen, i));
        await op.commit();
      }
    } catch {
      // Left for a later cleanup; never surfaces as a failed write.
    }
  }
}

function denoKvStore(space: ChunkedSpace): KvStore {
  const entryOf = async (key: string): Promise<KvEntry | null> => {
    const read = await space.read(key);
    return read ? { key, value: read.value, version: read.version } : null;
  };

  return checkedKv({
    read: entryOf,
    async list(prefix) {
      const out: KvEntry[] = [];
      const entries = space.kv.list({ start: space.head(prefix), end: space.head(prefix + PREFIX_END) });
      for await (const e of entries) {
        const key = e.key[e.key.length - 1];
        if (typeof key !== 'string' || !isHead(e.value) || e.versionstamp === null) continue;
        const value = await space.resolve(key, e.value);
        // Replaced while listing: read the key again for a consistent value.
        const entry = value ? { key, value, version: e.versionstamp } : await entryOf(key);
        if (entry) out.push(entry);
      }
      return out;
    },
    async commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]) {
      const keys = mutations.map((m) => m.key);
      const previous = await space.heads(keys);
      const heads = await Promise.all(mutations.map((m) => (m.type === 'set' ? space.prepare(m.key, m.value) : null)));
      let op = space.kv.atomic();
      for (const c of checks) op = op.check({ key: space.head(c.key), versionstamp: c.version });
      mutations.forEach((m, i) => {
        op = m.type === 'set' ? op.set(space.head(m.key), heads[i]) : op.delete(space.head(m.key));
      });
      let result: { ok: boolean; versionstamp?: string };
      try {
        result = await wrap(op.commit(), 'commit');
      } catch (err) {
        await Promise.all(mutations.map((m, i) => space.dropChunks(m.key, heads[i])));
        throw err;
      }
      if (!result.ok || result.versionstamp === undefined) {
        await Promise.all(mutations.map((m, i) => space.dropChunks(m.key, heads[i])));
        return null;
      }
      await Promise.all(keys.map((k, i) => space.dropChunks(k, previous[i])));
      return result.versionstamp;
    },
  });
}

function denoBlobs(space: ChunkedSpace, now: () => number): BlobCache {
  return checkedBlobs({
    async get(key) {
      const entry = await space.headEntry(key);
      // Deno KV deletes expired entries some time after expiry; the head's own deadline is exact.
      if (entry === null || (entry.head.expiresAt !== undefined && entry.head.expiresAt <= now())) return null;
      // Chunks gone means the blob was replaced or deleted meanwhile: a miss, as for any cache.
      return space.resolve(key, entry.head);
    },
    async put(key, value, options) {
      const expireIn = options?.ttlSeconds === undefined ? undefined : options.ttlSeconds * 1000;
      const [previous] = await space.heads([key]);
      const head = await space.prepare(key, value, expireIn);
      if (expireIn !== undefined) head.expiresAt = now() + expireIn;
      await wrap(space.kv.atomic().set(space.head(key), head, expireIn === undefined ? undefined : { expireIn }).commit(), 'write blob');
      await space.dropChunks(key, previous);
    },
    async delete(key) {
      const [previous] = await space.heads([key]);
      await wrap(space.kv.atomic().delete(space.head(key)).commit(), 'delete blob');
      await space.dropChunks(key, previous);
    },
  });
}

async function wrap<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise;
  } catch (cause) {
    if (cause instanceof StorageError) throw cause;
    throw new StorageError(`Deno KV could not ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
