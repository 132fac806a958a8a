// Consistent reads of a bank: its record and the bodies of exactly the references its manifest
// lists. Bodies are immutable, so the only race is a reference removed (and its body deleted)
// between reading the record and reading the body: then the record is read again.
import type { ReferenceSource } from '../../shared/api/edge.ts';
import { BankIdSchema } from '../../shared/schemas.ts';
import type { Rle } from '../../shared/types.ts';
import { StorageError } from '../storage/contract.ts';
import type { KvStore } from '../storage/contract.ts';
import { decodeJson } from '../storage/json.ts';
import { bankKey, BankRecordSchema, bodyKey, ReferenceBodySchema } from './records.ts';
import type { BankRecord, ManifestEntry } from './records.ts';
import { vectorFromBase64 } from './vectors.ts';

export interface StoredReference extends ManifestEntry {
  createdAt: string;
  source: ReferenceSource;
  /** Mask the gpu-node computed the vector from (absent for imported references). */
  mask?: Rle;
  /** Un-normalised instance mean. */
  vector: Float32Array;
}

export interface VersionedBankRecord {
  record: BankRecord;
  /** Storage version of the record; changes with every change of the bank. */
  version: string;
}

export interface BankSnapshot extends VersionedBankRecord {
  tenant: string;
  /** In manifest (insertion) order. */
  references: StoredReference[];
}

const READ_ATTEMPTS = 5;

/** The bank's record, or null when the tenant has no such bank (an invalid id cannot exist). */
export async function readBankRecord(kv: KvStore, tenant: string, bankId: string): Promise<VersionedBankRecord | null> {
  if (!BankIdSchema.safeParse(bankId).success) return null;
  const entry = await kv.get(bankKey(tenant, bankId));
  if (entry === null) return null;
  return { record: decodeJson(entry.value, BankRecordSchema, `bank ${tenant}/${bankId}`), version: entry.version };
}

export async function readBankSnapshot(kv: KvStore, tenant: string, bankId: string): Promise<BankSnapshot | null> {
  let previousVersion: string | null = null;
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const head = await readBankRecord(kv, tenant, bankId);
    if (head === null) return null;
    const { record, version } = head;
    const bodies = await kv.getMany(record.references.map((r) => bodyKey(tenant, bankId, record.uid, r.id)));
    if (bodies.every((b) => b !== null)) {
      const references = record.references.map((entry, i): StoredReference => {
        const body = decodeJson(bodies[i]!.value, ReferenceBodySchema, `reference ${bankId}/${entry.id}`);
        if (record.dim === null) throw new StorageError(`Bank ${tenant}/${bankId} has references but no dimension.`);
        return {
          ...entry,
          createdAt: body.createdAt,
          source: body.source,
          ...(body.mask === undefined ? {} : { mask: body.mask as Rle }),
          vector: vectorFromBase64(body.vector, record.dim),
        };
      });
      return { tenant, record, version, references };
    }
    // A body is missing although the record did not change: the manifest is damaged.
    if (version === previousVersion) break;
    previousVersion = version;
  }
  throw new StorageError(`Bank ${tenant}/${bankId} lists a reference whose body is missing.`);
}
