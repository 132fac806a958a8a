// What matching needs from a stored bank: its prototypes and negatives (shared/bank/bank-vectors.ts)
// and what identifies them.
import { bankVectors } from '../../shared/bank/bank-vectors.ts';
import type { BankVectors } from '../../shared/bank/bank-vectors.ts';
import type { BankSnapshot } from './snapshot.ts';

export interface MatchingBank extends BankVectors {
  bankId: string;
  /** Changes with every change of the bank: a key for caching anything derived from it. */
  revision: string;
  modelId: string;
  pipelineId: string;
  /** Embedding dimension; null while the bank has no reference. */
  dim: number | null;
  /** Class names in label order: a detection's label indexes this list. */
  classes: string[];
}

export function matchingBank(snapshot: BankSnapshot): MatchingBank {
  const { record } = snapshot;
  return {
    bankId: record.id,
    revision: snapshot.version,
    modelId: record.modelId,
    pipelineId: record.pipelineId,
    dim: record.dim,
    classes: [...record.classes],
    ...bankVectors(record.classes, snapshot.references, record.dim ?? 0),
  };
}
