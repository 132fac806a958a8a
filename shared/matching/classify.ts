// Semantic labelling (method.md §3.4 steps 4–5): cosine of a normalised mask embedding with every
// L2-normalised class prototype; score = the largest cosine clamped at 0, label = its class.
import { ShapeMismatchError } from './errors.ts';

const NORM_EPS = 1e-12;

export interface ClassMatch {
  label: number;
  /** max(0, best cosine). */
  score: number;
}

export interface ClassMatcher {
  /** Number of prototypes (class indices run 0…classCount−1). */
  classCount: number;
  dim: number;
  /** Raw cosines with every class, before clamping (classes outside the subset included). */
  cosines(embedding: Float32Array): Float64Array;
  /**
   * Best class among the allowed ones. Officially the label of a row of clamped ties (all cosines
   * ≤ 0) is whatever torch.topk returns; here it is the class of the largest raw cosine, first on
   * ties (options.ts, deviation 4).
   */
  match(embedding: Float32Array): ClassMatch;
}

/**
 * `prototypes[c]` is class c's prototype, unnormalised (the mean of its instance means) or already
 * normalised: it is divided by max(‖P_c‖, 1e-12) here, which leaves a normalised one unchanged.
 * `classes` restricts matching to a subset of class indices.
 */
export function createClassMatcher(
  prototypes: readonly ArrayLike<number>[],
  dim: number,
  classes?: readonly number[],
): ClassMatcher {
  const classCount = prototypes.length;
  const normalised = new Float32Array(classCount * dim);
  for (let c = 0; c < classCount; c++) {
    const p = prototypes[c];
    if (p.length !== dim) throw new ShapeMismatchError(`prototype ${c} has dimension ${p.length}, embeddings have ${dim}`);
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += p[k] * p[k];
    const inv = 1 / Math.max(Math.sqrt(sq), NORM_EPS);
    for (let k = 0; k < dim; k++) normalised[c * dim + k] = p[k] * inv;
  }
  const allowed = classes === undefined ? Int32Array.from({ length: classCount }, (_, c) => c) : Int32Array.from(classes);
  for (const c of allowed) {
    if (!(c >= 0 && c < classCount)) throw new ShapeMismatchError(`class ${c} is not one of the ${classCount} prototypes`);
  }

  function dot(embedding: Float32Array, c: number): number {
    const off = c * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) s += embedding[k] * normalised[off + k];
    return s;
  }

  // Allowed prototypes, packed and in groups of four (the last group padded with zero vectors), so
  // one pass over an embedding feeds four independent sums: fewer loads, more parallel adds.
  const groups = Math.ceil(allowed.length / 4);
  const packed = new Float32Array(groups * 4 * dim);
  allowed.forEach((c, slot) => packed.set(normalised.subarray(c * dim, (c + 1) * dim), slot * dim));
  const sums = new Float64Array(groups * 4);

  function allowedDots(embedding: Float32Array): Float64Array {
    for (let g = 0; g < groups; g++) {
      const o0 = 4 * g * dim;
      const o1 = o0 + dim;
      const o2 = o1 + dim;
      const o3 = o2 + dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < dim; k++) {
        const e = embedding[k];
        s0 += e * packed[o0 + k];
        s1 += e * packed[o1 + k];
        s2 += e * packed[o2 + k];
        s3 += e * packed[o3 + k];
      }
      sums[4 * g] = s0;
      sums[4 * g + 1] = s1;
      sums[4 * g + 2] = s2;
      sums[4 * g + 3] = s3;
    }
    return sums;
  }

  function checkDim(embedding: Float32Array): void {
    if (embedding.length !== dim) throw new ShapeMismatchError(`embedding has dimension ${embedding.length}, prototypes have ${dim}`);
  }

  return {
    classCount,
    dim,
    cosines(embedding) {
      checkDim(embedding);
      const out = new Float64Array(classCount);
      for (let c = 0; c < classCount; c++) out[c] = dot(embedding, c);
      return out;
    },
    match(embedding) {
      checkDim(embedding);
      const dots = allowedDots(embedding);
      let label = -1;
      let best = -Infinity;
      for (let slot = 0; slot < allowed.length; slot++) {
        if (dots[slot] > best) {
          best = dots[slot];
          label = allowed[slot];
        }
      }
      return { label, score: best > 0 ? best : 0 };
    },
  };
}
