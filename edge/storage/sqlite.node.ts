// Node driver: one SQLite file (better-sqlite3), the embedded default of a Node edge.
// WAL lets readers run beside the writer; synchronous=FULL makes every acknowledged commit
// survive a crash or power loss, not only a clean restart. better-sqlite3 is synchronous, so a
// commit cannot interleave with another caller of this process, and BEGIN IMMEDIATE takes the
// write lock before the checks are read, so another process sharing the file cannot slip a write
// between check and write either.
import Database from 'better-sqlite3';
import { checkedBlobs, checkedKv, PREFIX_END } from './contract.ts';
import type { BlobCache, KvCheck, KvEntry, KvMutation, KvStore, Storage } from './contract.ts';

export interface SqliteStorageOptions {
  /** Milliseconds since the epoch; blob expiry reads it (tests advance it). */
  now?: () => number;
  /** How long a writer waits for another process's lock before failing (default 5 s). */
  busyTimeoutMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv_clock (id INTEGER PRIMARY KEY CHECK (id = 0), version INTEGER NOT NULL);
INSERT OR IGNORE INTO kv_clock (id, version) VALUES (0, 0);
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires_at INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS blobs_expiry ON blobs (expires_at) WHERE expires_at IS NOT NULL;
`;

interface Row {
  key: string;
  value: Uint8Array;
  version: number;
}

/** Opens (creating if needed) the SQLite file at `path`. */
export function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): Storage {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.exec(SCHEMA);
  const now = options.now ?? Date.now;
  return {
    driver: 'sqlite',
    guarantees: { atomic: true, durable: path !== ':memory:' },
    kv: sqliteKv(db),
    blobs: sqliteBlobs(db, now),
    async close() {
      db.close();
    },
  };
}

// better-sqlite3 returns Buffers; callers get plain Uint8Arrays like every other driver gives.
const toEntry = (row: Row): KvEntry => ({ key: row.key, value: new Uint8Array(row.value), version: String(row.version) });

function sqliteKv(db: Database.Database): KvStore {
  const getOne = db.prepare<[string], Row>('SELECT key, value, version FROM kv WHERE key = ?');
  const versionOf = db.prepare<[string], { version: number }>('SELECT version FROM kv WHERE key = ?');
  const range = db.prepare<[string, string], Row>('SELECT key, value, version FROM kv WHERE key >= ? AND key < ? ORDER BY key');
  const tick = db.prepare<[], { version: number }>('UPDATE kv_clock SET version = version + 1 WHERE id = 0 RETURNING version');
  const upsert = db.prepare<[string, Uint8Array, number]>(
    'INSERT INTO kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version',
  );
  const remove = db.prepare<[string]>('DELETE FROM kv WHERE key = ?');

  const commit = db.transaction((checks: readonly KvCheck[], mutations: readonly KvMutation[]): string | null => {
    for (const check of checks) {
      const row = versionOf.get(check.key);
      if ((row === undefined ? null : String(row.version)) !== check.version) return null;
    }
    const version = tick.get()!.version;
    for (const m of mutations) {
      if (m.type === 'set') upsert.run(m.key, m.value, version);
      else remove.run(m.key);
    }
    return String(version);
  });

  return checkedKv({
    async read(key) {
      const row = getOne.get(key);
      return row === undefined ? null : toEntry(row);
    },
    async list(prefix) {
      return range.all(prefix, prefix + PREFIX_END).map(toEntry);
    },
    async commit(checks, mutations) {
      return commit.immediate(checks, mutations);
    },
  });
}

function sqliteBlobs(db: Database.Database, now: () => number): BlobCache {
  const getOne = db.prepare<[string], { value: Uint8Array; expires_at: number | null }>('SELECT value, expires_at FROM blobs WHERE key = ?');
  const upsert = db.prepare<[string, Uint8Array, number | null]>(
    'INSERT INTO blobs (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
  );
  const remove = db.prepare<[string]>('DELETE FROM blobs WHERE key = ?');
  const purge = db.prepare<[number]>('DELETE FROM blobs WHERE expires_at IS NOT NULL AND expires_at <= ?');

  return checkedBlobs({
    async get(key) {
      const row = getOne.get(key);
      if (row === undefined) return null;
      if (row.expires_at !== null && row.expires_at <= now()) {
        remove.run(key);
        return null;
      }
      return new Uint8Array(row.value);
    },
    async put(key, value, options) {
      const t = now();
      // Expired entries are never read again; dropping them on write keeps the file bounded.
      purge.run(t);
      upsert.run(key, value, options?.ttlSeconds === undefined ? null : t + options.ttlSeconds * 1000);
    },
    async delete(key) {
      remove.run(key);
    },
  });
}
