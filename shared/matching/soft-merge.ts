// Semantic-aware soft merging (method.md §3.7): a candidate is decayed by how much of it lies inside
// an earlier (higher SAM IoU) candidate of the same label, weighted by how alike their embeddings are.
import { intersectionAreaCounts } from '../coco-mask/index.ts';
import type { BoxXyxy } from '../types.ts';

export interface MergeInput {
  label: number;
  /** L2-normalised mask embedding. */
  embedding: Float32Array;
  /** Uncompressed RLE runs of the full-resolution mask (all masks of one image size). */
  runs: Uint32Array;
  /** |mask| > 0 (empty full-resolution masks are dropped before the merge). */
  area: number;
  /** Inclusive box of the mask. */
  box: BoxXyxy;
}

/**
 * ios_i = max over earlier j with the same label of |M_i ∩ M_j| / |M_i| · max(0, ĝ_i·ĝ_j), 0 if none;
 * entries in descending SAM-IoU order. Work is skipped only where it cannot change the maximum:
 * the overlap of the boxes bounds the intersection and the norms bound the dot product, which is
 * taken only when the masks meet.
 */
export function semanticIos(entries: readonly MergeInput[]): Float64Array {
  const ios = new Float64Array(entries.length);
  // |ĝ_i·ĝ_j| ≤ ‖ĝ_i‖·‖ĝ_j‖ (Cauchy–Schwarz, with room for rounding); ≈ 1 for normalised vectors,
  // but received embeddings (e.g. through float16) need not be exactly normalised.
  let normMax = 0;
  for (const e of entries) normMax = Math.max(normMax, squaredNorm(e.embedding));
  const cosineMax = normMax * (1 + 1e-9);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const earlier = byLabel.get(e.label);
    if (earlier === undefined) {
      byLabel.set(e.label, [i]);
      continue;
    }
    let best = 0;
    for (const j of earlier) {
      const o = entries[j];
      const boxOverlap = overlapArea(e.box, o.box);
      if (boxOverlap === 0 || (boxOverlap / e.area) * cosineMax <= best) continue;
      const inter = intersectionAreaCounts(e.runs, o.runs);
      if (inter === 0 || (inter / e.area) * cosineMax <= best) continue;
      const sim = dot(e.embedding, o.embedding);
      if (sim <= 0) continue;
      const v = (inter / e.area) * sim;
      if (v > best) best = v;
    }
    ios[i] = best;
    earlier.push(i);
  }
  return ios;
}

/** The decayed score: score · sqrt(1 − ios). */
export function decayedScore(score: number, ios: number): number {
  return score * Math.sqrt(1 - ios);
}

/** Pixels shared by two inclusive boxes. */
function overlapArea(a: BoxXyxy, b: BoxXyxy): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  return w > 0 && h > 0 ? w * h : 0;
}

/** Σ a[k]·b[k] in increasing k (one chain of adds: four products per step, added in order). */
function dot(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let s = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s += a[k] * b[k];
    s += a[k + 1] * b[k + 1];
    s += a[k + 2] * b[k + 2];
    s += a[k + 3] * b[k + 3];
  }
  for (; k < n; k++) s += a[k] * b[k];
  return s;
}

/**
 * ‖a‖² with four partial sums: it only bounds dot products (with a relative margin far above
 * any rounding), so its own rounding need not match anything.
 */
function squaredNorm(a: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 4 <= a.length; k += 4) {
    s0 += a[k] * a[k];
    s1 += a[k + 1] * a[k + 1];
    s2 += a[k + 2] * a[k + 2];
    s3 += a[k + 3] * a[k + 3];
  }
  for (; k < a.length; k++) s0 += a[k] * a[k];
  return s0 + s1 + s2 + s3;
}
