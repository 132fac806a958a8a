// What matching needs from a bank's references: one prototype per class (spec/method.md §2: the
// mean of the class's positive instance means, L2-normalised) and each class's negatives.
import { prototypes } from './prototypes.ts';

export interface BankReference {
  className: string;
  negative: boolean;
  /** Un-normalised instance mean. */
  vector: Float32Array;
}

export interface BankVectors {
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

/** Prototypes and negatives of `classes` (label order) from references of dimension `dim`. */
export function bankVectors(classes: readonly string[], references: readonly BankReference[], dim: number): BankVectors {
  const vectors = (name: string, negative: boolean) => references.filter((r) => r.className === name && r.negative === negative).map((r) => r.vector);
  const positives = classes.map((name) => vectors(name, false));
  const matchable = classes.flatMap((_, c) => (positives[c].length > 0 ? [c] : []));
  const normalized = matchable.length > 0 ? prototypes(matchable.map((c) => positives[c])).normalized : [];
  const protos: Float64Array[] = classes.map(() => new Float64Array(dim));
  matchable.forEach((c, k) => (protos[c] = normalized[k]));
  return { prototypes: protos, matchable, negatives: classes.map((name) => vectors(name, true)) };
}
