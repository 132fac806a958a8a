// Class level of the two-step aggregation (spec/method.md §2 step 2).
import { BankArgumentError } from './errors.ts';

export interface Prototypes {
  /** Per class: plain mean of its instance means (every shot weighs the same, whatever its size). */
  unnormalized: Float64Array[];
  /** The same divided by max(‖·‖₂, 1e-12), as F.normalize. */
  normalized: Float64Array[];
}

/** One prototype per class from its instance means (`instanceMeans[class][shot]`, all of one dimension). */
export function prototypes(instanceMeans: readonly (readonly ArrayLike<number>[])[]): Prototypes {
  const D = instanceMeans[0]?.[0]?.length ?? 0;
  const unnormalized: Float64Array[] = [];
  const normalized: Float64Array[] = [];
  instanceMeans.forEach((shots, c) => {
    if (shots.length === 0) throw new BankArgumentError(`class ${c} has no instance means`);
    const mean = new Float64Array(D);
    for (const [k, shot] of shots.entries()) {
      if (shot.length !== D) throw new BankArgumentError(`class ${c} shot ${k} has dimension ${shot.length}, expected ${D}`);
      for (let d = 0; d < D; d++) mean[d] += shot[d];
    }
    let sq = 0;
    for (let d = 0; d < D; d++) {
      mean[d] /= shots.length;
      sq += mean[d] * mean[d];
    }
    const scale = Math.max(Math.sqrt(sq), 1e-12);
    unnormalized.push(mean);
    normalized.push(mean.map((x) => x / scale));
  });
  return { unnormalized, normalized };
}
