// Reference-quality feedback: how well each reference agrees with its class and how close it
// comes to another class, from the stored instance vectors alone (no GPU work).
//
// For a positive reference r of class c (vector f_r, class prototype P_c = mean of the class's
// positive instance means, spec/method.md §2):
//   classCosine   = cos(f_r, P_c without r)   — leave-one-out: the mean of the other n−1
//                   positives, (n·P_c − f_r)/(n−1). With r included the prototype would partly
//                   be r itself and flatter it. Undefined (null, basis 'single-shot') when r is
//                   the class's only positive: there is nothing left to compare with.
//   nearestOther  = the class c' ≠ c (with at least one positive) maximising cos(f_r, P_c').
//   outlier       = classCosine < outlierCosine: r looks unlike the rest of its class (wrong
//                   object, bad mask, unusual view).
//   confusable    = nearestOther.cosine ≥ classCosine − confusableMargin: r is about as close to
//                   another class as to its own, so it will pull matches toward the wrong label.
// For a negative reference, classCosine is its cosine to the full prototype of its class (how
// close the counter-example comes; the closer, the more it matters) and both flags stay false:
// resembling its own class is the point of a negative.
//
// Thresholds are heuristics for DINOv2 instance means (not from the paper) and configurable:
// same-class instance means of DINOv2 ViT-L typically agree well above 0.5, so below it a
// reference is worth a look; 0.05 of margin marks a reference that is a near tie.
import { cosineSimilarity } from '../../shared/bank/cosine.ts';
import { BankArgumentError } from '../../shared/bank/errors.ts';
import { prototypes } from '../../shared/bank/prototypes.ts';

export interface QualityThresholds {
  outlierCosine: number;
  confusableMargin: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = { outlierCosine: 0.5, confusableMargin: 0.05 };

export interface QualityReference {
  id: string;
  className: string;
  negative: boolean;
  vector: ArrayLike<number>;
}

export type QualityBasis =
  /** Positive, compared with the other positives of its class. */
  | 'leave-one-out'
  /** Positive and the only one of its class: classCosine is undefined. */
  | 'single-shot'
  /** Negative, compared with its class's prototype. */
  | 'class-prototype'
  /** Negative of a class without positives: classCosine is undefined. */
  | 'no-positives';

export interface NearestClass {
  className: string;
  cosine: number;
}

export interface ReferenceQuality {
  basis: QualityBasis;
  classCosine: number | null;
  /** Closest other class by prototype; null when no other class has positives. */
  nearestOtherClass: NearestClass | null;
  /** classCosine − nearestOtherClass.cosine, when both exist. */
  margin: number | null;
  outlier: boolean;
  confusable: boolean;
}

export interface ClassQuality {
  /** Mean leave-one-out cosine of the class's positives; null with fewer than two positives. */
  meanLeaveOneOutCosine: number | null;
  /** Ids of the class's references flagged as outliers / confusable. */
  outliers: string[];
  confusable: string[];
  /** Other class whose prototype is closest to this class's prototype (both need positives). */
  nearestClass: NearestClass | null;
}

export interface BankQuality {
  /** Same order as the references given. */
  references: ReferenceQuality[];
  /** Same order as the classes given. */
  classes: ClassQuality[];
}

export function bankQuality(
  classes: readonly string[],
  references: readonly QualityReference[],
  thresholds: QualityThresholds = DEFAULT_QUALITY_THRESHOLDS,
): BankQuality {
  const positives = classes.map((name) => references.filter((r) => r.className === name && !r.negative).map((r) => r.vector));
  const present = classes.flatMap((_, c) => (positives[c].length > 0 ? [c] : []));
  const means: (Float64Array | null)[] = classes.map(() => null);
  if (present.length > 0) {
    const { unnormalized } = prototypes(present.map((c) => positives[c]));
    present.forEach((c, k) => (means[c] = unnormalized[k]));
  }
  const labelOf = new Map(classes.map((name, c) => [name, c]));

  const nearestOther = (vector: ArrayLike<number>, own: number): NearestClass | null => {
    let best: NearestClass | null = null;
    for (const c of present) {
      if (c === own) continue;
      const cosine = cosineSimilarity(vector, means[c]!);
      if (best === null || cosine > best.cosine) best = { className: classes[c], cosine };
    }
    return best;
  };

  const referenceResults = references.map((r): ReferenceQuality => {
    const c = labelOf.get(r.className);
    if (c === undefined) throw new BankArgumentError(`reference ${r.id} has class "${r.className}", not one of the bank's classes`);
    const n = positives[c].length;
    let basis: QualityBasis;
    let classCosine: number | null = null;
    if (r.negative) {
      basis = n > 0 ? 'class-prototype' : 'no-positives';
      if (n > 0) classCosine = cosineSimilarity(r.vector, means[c]!);
    } else {
      basis = n > 1 ? 'leave-one-out' : 'single-shot';
      if (n > 1) classCosine = cosineSimilarity(r.vector, leaveOneOut(means[c]!, n, r.vector));
    }
    const nearest = nearestOther(r.vector, c);
    const margin = classCosine !== null && nearest !== null ? classCosine - nearest.cosine : null;
    const judged = !r.negative && classCosine !== null;
    return {
      basis,
      classCosine,
      nearestOtherClass: nearest,
      margin,
      outlier: judged && classCosine! < thresholds.outlierCosine,
      confusable: judged && margin !== null && margin <= thresholds.confusableMargin,
    };
  });

  const classResults = classes.map((name, c): ClassQuality => {
    const own = references.flatMap((r, i) => (r.className === name ? [{ r, q: referenceResults[i] }] : []));
    const loo = own.filter(({ q }) => q.basis === 'leave-one-out').map(({ q }) => q.classCosine!);
    return {
      meanLeaveOneOutCosine: loo.length === 0 ? null : loo.reduce((a, b) => a + b, 0) / loo.length,
      outliers: own.filter(({ q }) => q.outlier).map(({ r }) => r.id),
      confusable: own.filter(({ q }) => q.confusable).map(({ r }) => r.id),
      nearestClass: means[c] === null ? null : nearestOther(means[c]!, c),
    };
  });
  return { references: referenceResults, classes: classResults };
}

/** Mean of the class's positives without `vector`, from their mean over all n. */
function leaveOneOut(mean: Float64Array, n: number, vector: ArrayLike<number>): Float64Array {
  const out = new Float64Array(mean.length);
  for (let d = 0; d < mean.length; d++) out[d] = (n * mean[d] - vector[d]) / (n - 1);
  return out;
}
