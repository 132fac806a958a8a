// Semantic labelling (method.md §3.4 steps 4–5): cosine of a normalised mask embedding with every
// L2-normalised class prototype; score = the largest cosine clamped at 0, label = its class (a
// score-0 candidate is labelled by the zeroScoreLabel rule, zero-score-label.ts).
import { ShapeMismatchError } from './errors.ts';
import { zeroScorePosition } from './zero-score-label.ts';
import type { ZeroScoreLabel } from './zero-score-label.ts';

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
   * Best class among the allowed ones. The label of a row of clamped ties (all cosines ≤ 0) follows
   * the zeroScoreLabel rule (options.ts, deviation 4).
   */
  match(embedding: Float32Array): ClassMatch;
  /** match of every embedding (the same values), two at a time. */
  matchAll(embeddings: readonly Float32Array[]): ClassMatch[];
  /**
   * ĝ·u_label for a match with score > 0, u_label the unit vector along the label's prototype (the
   * stored normalised prototype is unit only up to float32 rounding, or not at all below 1e-12).
   */
  axis(match: ClassMatch): number;
}

/**
 * `prototypes[c]` is class c's prototype, unnormalised (the mean of its instance means) or already
 * normalised: it is divided by max(‖P_c‖, 1e-12) here, which leaves a normalised one unchanged.
 * `classes` restricts matching to a subset of class indices; positions in the zeroScoreLabel rule
 * (`first`, `torch-cpu`) are positions in that list, as if only those prototypes existed.
 */
export function createClassMatcher(
  prototypes: readonly ArrayLike<number>[],
  dim: number,
  classes?: readonly number[],
  zeroScoreLabel: ZeroScoreLabel = 'first',
): ClassMatcher {
  const classCount = prototypes.length;
  const normalised = new Float32Array(classCount * dim);
  // ‖stored normalised prototype‖ per class.
  const lengths = new Float64Array(classCount);
  for (let c = 0; c < classCount; c++) {
    const p = prototypes[c];
    if (p.length !== dim) throw new ShapeMismatchError(`prototype ${c} has dimension ${p.length}, embeddings have ${dim}`);
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += p[k] * p[k];
    const inv = 1 / Math.max(Math.sqrt(sq), NORM_EPS);
    let stored = 0;
    for (let k = 0; k < dim; k++) {
      normalised[c * dim + k] = p[k] * inv;
      stored += normalised[c * dim + k] * normalised[c * dim + k];
    }
    lengths[c] = Math.sqrt(stored);
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

  // Allowed prototypes in groups of four (the last group padded with zero vectors), interleaved
  // (packed[(g·dim + k)·4 + j] = component k of the group's prototype j) and in float64 (exact:
  // they are float32 values), so one pass over an embedding feeds four independent sums.
  const groups = Math.ceil(allowed.length / 4);
  const packed = new Float64Array(groups * 4 * dim);
  allowed.forEach((c, slot) => {
    const at = (slot >> 2) * 4 * dim + (slot & 3);
    for (let k = 0; k < dim; k++) packed[at + 4 * k] = normalised[c * dim + k];
  });
  const sums = new Float64Array(groups * 4);
  const pairSums = new Float64Array(groups * 4);

  function checkDim(embedding: Float32Array): void {
    if (embedding.length !== dim) throw new ShapeMismatchError(`embedding has dimension ${embedding.length}, prototypes have ${dim}`);
  }

  function best(dots: Float64Array): ClassMatch {
    let at = -1;
    let top = -Infinity;
    for (let slot = 0; slot < allowed.length; slot++) {
      if (dots[slot] > top) {
        top = dots[slot];
        at = slot;
      }
    }
    if (at < 0) return { label: -1, score: 0 };
    if (top > 0) return { label: allowed[at], score: top };
    return { label: allowed[zeroScorePosition(zeroScoreLabel, allowed.length, at)], score: 0 };
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
      groupDots(embedding, packed, dim, groups, sums);
      return best(sums);
    },
    matchAll(embeddings) {
      embeddings.forEach(checkDim);
      const out: ClassMatch[] = [];
      let i = 0;
      for (; i + 2 <= embeddings.length; i += 2) {
        groupDotsPair(embeddings[i], embeddings[i + 1], packed, dim, groups, sums, pairSums);
        out.push(best(sums), best(pairSums));
      }
      if (i < embeddings.length) {
        groupDots(embeddings[i], packed, dim, groups, sums);
        out.push(best(sums));
      }
      return out;
    },
    axis({ label, score }) {
      return score > 0 && lengths[label] > 0 ? score / lengths[label] : Number.NaN;
    },
  };
}

// Each sum below is Σ_k e[k]·p[k] accumulated in float64 in increasing k, as `dot` does: the
// kernels only change which sums share a pass.

/** out[4g + j] = e · prototype j of group g. */
function groupDots(e: Float32Array, packed: Float64Array, dim: number, groups: number, out: Float64Array): void {
  for (let g = 0; g < groups; g++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0, o = (4 * g * dim) | 0; k < dim; k++, o = (o + 4) | 0) {
      const x = e[k];
      s0 += x * packed[o];
      s1 += x * packed[(o + 1) | 0];
      s2 += x * packed[(o + 2) | 0];
      s3 += x * packed[(o + 3) | 0];
    }
    out[4 * g] = s0;
    out[4 * g + 1] = s1;
    out[4 * g + 2] = s2;
    out[4 * g + 3] = s3;
  }
}

/** groupDots of two embeddings in one pass (each prototype value loaded once for both). */
function groupDotsPair(e: Float32Array, f: Float32Array, packed: Float64Array, dim: number, groups: number, outE: Float64Array, outF: Float64Array): void {
  for (let g = 0; g < groups; g++) {
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    // `| 0` keeps the index arithmetic in int32, which spares V8 an overflow check per load.
    for (let k = 0, o = (4 * g * dim) | 0; k < dim; k++, o = (o + 4) | 0) {
      const x = e[k];
      const y = f[k];
      const p0 = packed[o];
      const p1 = packed[(o + 1) | 0];
      const p2 = packed[(o + 2) | 0];
      const p3 = packed[(o + 3) | 0];
      a0 += x * p0;
      a1 += x * p1;
      a2 += x * p2;
      a3 += x * p3;
      b0 += y * p0;
      b1 += y * p1;
      b2 += y * p2;
      b3 += y * p3;
    }
    outE[4 * g] = a0;
    outE[4 * g + 1] = a1;
    outE[4 * g + 2] = a2;
    outE[4 * g + 3] = a3;
    outF[4 * g] = b0;
    outF[4 * g + 1] = b1;
    outF[4 * g + 2] = b2;
    outF[4 * g + 3] = b3;
  }
}
