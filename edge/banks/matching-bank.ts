// What matching needs from a bank: one prototype per class (spec/method.md §2: the mean of the
// class's positive instance means, L2-normalised) and each class's negatives.
import { prototypes } from '../../shared/bank/prototypes.ts';
import type { BankSnapshot } from './snapshot.ts';

export interface MatchingBank {
  bankId: string;
  /** Changes with every change of the bank: a key for caching anything derived from it. */
  revision: string;
  modelId: string;
  pipelineId: string;
  /** Embedding dimension; null while the bank has no reference. */
  dim: number | null;
  /** Class names in label order: a detection's label indexes this list. */
  classes: string[];
  /** Per label, the L2-normalised prototype; all zeros for a class without positives. */
  prototypes: Float64Array[];
  /**
   * Labels that have a prototype. Pass them as the matching's class subset: a class without
   * positives must not take part in labelling (its zero prototype would tie at cosine 0).
   */
  matchable: number[];
  /** Per label, the un-normalised vectors of its negative references (for dampScores). */
  negatives: Float32Array[][];
}

export function matchingBank(snapshot: BankSnapshot): MatchingBank {
  const { record } = snapshot;
  const dim = record.dim ?? 0;
  const positives = record.classes.map((name) => snapshot.references.filter((r) => r.className === name && !r.negative).map((r) => r.vector));
  const matchable = record.classes.flatMap((_, c) => (positives[c].length > 0 ? [c] : []));
  const normalized = matchable.length > 0 ? prototypes(matchable.map((c) => positives[c])).normalized : [];
  const protos: Float64Array[] = record.classes.map(() => new Float64Array(dim));
  matchable.forEach((c, k) => (protos[c] = normalized[k]));
  return {
    bankId: record.id,
    revision: snapshot.version,
    modelId: record.modelId,
    pipelineId: record.pipelineId,
    dim: record.dim,
    classes: [...record.classes],
    prototypes: protos,
    matchable,
    negatives: record.classes.map((name) => snapshot.references.filter((r) => r.className === name && r.negative).map((r) => r.vector)),
  };
}
