// Cloudflare Workers driver with strongly consistent, serialised bank writes: what workers.ts
// cannot give (Workers KV has no compare-and-set, so two concurrent additions to one bank can
// both "succeed" and one is lost). Records are split by key:
//   banks/<tenant>/<bankId>, refs/<tenant>/<bankId>/…  → the bank's own Durable Object
//                                                         (bank-object.workers.ts), by name
//   banks/<tenant>/ listing                             → an index in the tenant's Durable Object
//   everything else (API keys, the health probe)        → Workers KV, as in workers.ts
// A commit must stay inside one of these shards (every commit of the bank and key layers does);
// inside a bank's object it is atomic and its checks hold against every other writer, so the
// bank layer's read → compute → compare-and-set → retry makes 50 concurrent additions all land.
//
// The tenant index (index/<bankId> in the tenant's object) only lists: a bank is read from its
// own object, and a listed id whose bank is absent is skipped. So the index may hold more ids
// than there are banks, never fewer, with one exception: a Worker that dies between creating a
// bank and re-asserting its index entry, while a delete of that same id runs, leaves the new
// bank readable but unlisted until it is deleted or created again.
import { checkedKv, StorageError } from './contract.ts';
import type { BlobCache, KvCheck, KvEntry, KvMutation, KvStore, Storage } from './contract.ts';
import { r2Blobs, workersKv } from './workers.ts';
import type { WorkersKvNamespace, WorkersR2Bucket } from './workers.ts';

/** What a stub of RefsegBankObject answers over RPC (every call is async from the outside). */
export interface BankObjectStub {
  read(key: string): Promise<KvEntry | null>;
  list(prefix: string): Promise<KvEntry[]>;
  commit(checks: readonly KvCheck[], mutations: readonly KvMutation[]): Promise<string | null>;
}

/** The members of a Durable Object namespace binding this driver uses. */
export interface BankObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): BankObjectStub;
}

export interface DurableBankStorageOptions {
  kv: WorkersKvNamespace;
  r2: WorkersR2Bucket;
  banks: BankObjectNamespace;
  blobPrefix?: string;
  now?: () => number;
}

type Shard = { kind: 'kv' } | { kind: 'bank'; tenant: string; bankId: string };

const BANK_RECORD = /^banks\/([^/]+)\/([^/]+)$/;
const BANK_BODY = /^refs\/([^/]+)\/([^/]+)\//;
const TENANT_BANKS = /^banks\/([^/]+)\/(.*)$/;
const EMPTY = new Uint8Array(0);

function shardOf(key: string): Shard {
  const m = BANK_RECORD.exec(key) ?? BANK_BODY.exec(key);
  if (m) return { kind: 'bank', tenant: m[1], bankId: m[2] };
  // Keys of the bank layer's namespaces that name no bank are a caller's bug: they would land
  // in KV, outside every bank's serialisation.
  if (key.startsWith('banks/') || key.startsWith('refs/')) throw new StorageError(`Key "${key.slice(0, 80)}" names no bank.`);
  return { kind: 'kv' };
}

const sameShard = (a: Shard, b: Shard) => a.kind === b.kind && (a.kind === 'kv' || (b.kind === 'bank' && a.tenant === b.tenant && a.bankId === b.bankId));

export function createDurableBankStorage(options: DurableBankStorageOptions): Storage {
  const now = options.now ?? Date.now;
  const blobs: BlobCache = r2Blobs(options.r2, options.blobPrefix ?? 'refseg/candidates/', now);
  return {
    driver: 'workers-durable-objects',
    // Atomic within a shard, which is every commit this service makes (see above).
    guarantees: { atomic: true, durable: true },
    kv: durableBankKv(workersKv(options.kv), options.banks),
    blobs,
    async close() {},
  };
}

function durableBankKv(kv: KvStore, banks: BankObjectNamespace): KvStore {
  const bankObject = (tenant: string, bankId: string) => banks.get(banks.idFromName(`bank/${tenant}/${bankId}`));
  const tenantObject = (tenant: string) => banks.get(banks.idFromName(`tenant/${tenant}`));
  const indexKey = (bankId: string) => `index/${bankId}`;

  const read = (key: string): Promise<KvEntry | null> => {
    const shard = shardOf(key);
    return shard.kind === 'kv' ? kv.get(key) : bankObject(shard.tenant, shard.bankId).read(key);
  };

  const listTenantBanks = async (tenant: string, idPrefix: string): Promise<KvEntry[]> => {
    const ids = (await tenantObject(tenant).list(indexKey(idPrefix))).map((e) => e.key.slice(indexKey('').length));
    const entries = await Promise.all(ids.map((id) => bankObject(tenant, id).read(`banks/${tenant}/${id}`)));
    return entries.filter((e): e is KvEntry => e !== null);
  };

  /** Creating a bank: its id enters the tenant index before (so it is never unlisted) and again after. */
  const commitCreation = async (tenant: string, bankId: string, run: () => Promise<string | null>) => {
    const index = tenantObject(tenant);
    await index.commit([], [{ type: 'set', key: indexKey(bankId), value: EMPTY }]);
    const version = await run();
    // The bank is created: a failure here must not turn that into an error (the entry from
    // before is most likely still there).
    if (version !== null) await index.commit([], [{ type: 'set', key: indexKey(bankId), value: EMPTY }]).catch(() => null);
    return version;
  };

  /** After deleting a bank: its index entry goes, unless a creation of the same id touched it or landed meanwhile. */
  const unindex = async (tenant: string, bankId: string) => {
    const index = tenantObject(tenant);
    const entry = await index.read(indexKey(bankId));
    if (entry === null) return;
    if ((await bankObject(tenant, bankId).read(`banks/${tenant}/${bankId}`)) !== null) return;
    await index.commit([{ key: indexKey(bankId), version: entry.version }], [{ type: 'delete', key: indexKey(bankId) }]);
  };

  return checkedKv({
    read,
    async list(prefix) {
      const tenantBanks = TENANT_BANKS.exec(prefix);
      if (tenantBanks && !tenantBanks[2].includes('/')) return listTenantBanks(tenantBanks[1], tenantBanks[2]);
      const body = BANK_BODY.exec(prefix);
      if (body) return bankObject(body[1], body[2]).list(prefix);
      const spansBanks = (p: string) => p.startsWith('banks/') || p.startsWith('refs/') || 'banks/'.startsWith(p) || 'refs/'.startsWith(p);
      if (spansBanks(prefix)) throw new StorageError(`Listing "${prefix}" would span several banks' objects.`);
      return kv.list(prefix);
    },
    async commit(checks, mutations) {
      const keys = [...checks.map((c) => c.key), ...mutations.map((m) => m.key)];
      if (keys.length === 0) return crypto.randomUUID();
      const shard = shardOf(keys[0]);
      if (!keys.every((k) => sameShard(shardOf(k), shard))) throw new StorageError('A commit spans several banks, or a bank and other records.');
      if (shard.kind === 'kv') return kv.commit(checks, mutations);
      const { tenant, bankId } = shard;
      const recordKey = `banks/${tenant}/${bankId}`;
      const run = () => bankObject(tenant, bankId).commit(checks, mutations);
      const creates = checks.some((c) => c.key === recordKey && c.version === null) && mutations.some((m) => m.key === recordKey && m.type === 'set');
      if (creates) return commitCreation(tenant, bankId, run);
      const version = await run();
      // The bank is deleted whatever happens next; a leftover index entry is skipped when listing.
      if (version !== null && mutations.some((m) => m.key === recordKey && m.type === 'delete')) await unindex(tenant, bankId).catch(() => undefined);
      return version;
    },
  });
}
