// Read-modify-write of one bank record: read it, let `change` compute the next record, commit
// with a check on the version read, and start over when another writer got there first. This is
// what makes two concurrent additions both land (on drivers with atomic commits).
import { NotFoundError } from '../../shared/errors.ts';
import type { KvStore } from '../storage/contract.ts';
import { encodeJson } from '../storage/json.ts';
import { BankBusyError } from './errors.ts';
import { bankKey } from './records.ts';
import type { BankRecord } from './records.ts';
import { readBankRecord } from './snapshot.ts';
import type { VersionedBankRecord } from './snapshot.ts';

export interface BankChange<R> {
  /** The record to store, or null to delete the bank. */
  next: BankRecord | null;
  result: R;
}

export const DEFAULT_MAX_ATTEMPTS = 32;

/**
 * Applies `change` atomically. `change` may run several times (once per attempt) and must not
 * have side effects; throwing from it aborts the update. A missing bank is a NotFoundError.
 */
export async function updateBank<R extends object>(
  kv: KvStore,
  tenant: string,
  bankId: string,
  change: (current: VersionedBankRecord) => BankChange<R>,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): Promise<R & { version: string }> {
  const key = bankKey(tenant, bankId);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await readBankRecord(kv, tenant, bankId);
    if (current === null) throw new NotFoundError('bank', bankId);
    const { next, result } = change(current);
    const version = await kv.commit(
      [{ key, version: current.version }],
      [next === null ? { type: 'delete', key } : { type: 'set', key, value: encodeJson(next) }],
    );
    if (version !== null) return { ...result, version };
    await backoff(attempt);
  }
  throw new BankBusyError(bankId);
}

/** Random wait up to 2^attempt ms (capped at 100 ms), so colliding writers spread out. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
