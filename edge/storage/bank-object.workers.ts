// The Durable Object behind durable-banks.ts: one instance per bank (and one per tenant for its
// bank index), holding that shard's records in its SQLite storage. Each method runs
// synchronously from start to end (the SQL API is synchronous), and a Durable Object runs one
// event at a time, so a commit's checks and writes cannot interleave with another commit: the
// compare-and-set of the storage contract holds, and every read sees every acknowledged write.
// workerd confirms a write to the client only after it is durable (output gates).
import { DurableObject } from 'cloudflare:workers';
import { PREFIX_END } from './contract.ts';
import type { KvCheck, KvEntry, KvMutation } from './contract.ts';

interface Row extends Record<string, unknown> {
  key: string;
  value: ArrayBuffer;
  version: string;
}

const toEntry = (row: Row): KvEntry => ({ key: row.key, value: new Uint8Array(row.value), version: row.version });

export class RefsegBankObject extends DurableObject {
  constructor(ctx: ConstructorParameters<typeof DurableObject>[0], env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, version TEXT NOT NULL)');
  }

  read(key: string): KvEntry | null {
    const rows = this.ctx.storage.sql.exec<Row>('SELECT key, value, version FROM kv WHERE key = ?', key).toArray();
    return rows.length === 0 ? null : toEntry(rows[0]);
  }

  // SQLite compares TEXT bytewise (BINARY collation): the contract's ascending byte order.
  list(prefix: string): KvEntry[] {
    return this.ctx.storage.sql.exec<Row>('SELECT key, value, version FROM kv WHERE key >= ? AND key < ? ORDER BY key', prefix, prefix + PREFIX_END).toArray().map(toEntry);
  }

  commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]): string | null {
    return this.ctx.storage.transactionSync(() => {
      for (const check of checks) {
        if ((this.read(check.key)?.version ?? null) !== check.version) return null;
      }
      const version = crypto.randomUUID();
      for (const m of mutations) {
        if (m.type === 'set') this.ctx.storage.sql.exec('INSERT OR REPLACE INTO kv (key, value, version) VALUES (?, ?, ?)', m.key, m.value.buffer.slice(m.value.byteOffset, m.value.byteOffset + m.value.byteLength), version);
        else this.ctx.storage.sql.exec('DELETE FROM kv WHERE key = ?', m.key);
      }
      return version;
    });
  }
}
