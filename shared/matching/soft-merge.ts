// Semantic-aware soft merging (method.md §3.7): a candidate is decayed by how much of it lies inside
// an earlier (higher SAM IoU) candidate of the same label, weighted by how alike their embeddings are.
import { putBox } from '../boxes.ts';
import { intersectionAreaAbove } from '../coco-mask/index.ts';
import type { BoxXyxy } from '../types.ts';

export interface MergeInput {
  label: number;
  /** L2-normalised mask embedding. */
  embedding: Float32Array;
  /** The full-resolution mask's uncompressed RLE as run ends (runEnds; all masks of one image size). */
  ends: Int32Array;
  /** |mask| > 0 (empty full-resolution masks are dropped before the merge). */
  area: number;
  /** Inclusive box of the mask. */
  box: BoxXyxy;
  /**
   * ĝ·u for a unit vector u shared by every entry of this label (the label's prototype: the cosine
   * labelling has already taken). Optional; it only sharpens the bound that skips work.
   */
  axis?: number;
}

/** Dot products taken in one pass: enough independent chains of adds to hide each add's latency. */
const LANES = 4;

/**
 * ios_i = max over earlier j with the same label of |M_i ∩ M_j| / |M_i| · max(0, ĝ_i·ĝ_j), 0 if none;
 * entries in descending SAM-IoU order. Work is skipped only where it cannot change the maximum:
 * the overlap of the boxes bounds the intersection and the norms bound the dot product, which is
 * taken only when the masks meet.
 *
 * The maximum does not depend on the order the earlier masks are visited in, and ios_i depends on
 * the inputs alone, not on other ios values. So each entry visits its earlier masks by decreasing
 * box overlap, and the entries advance in rounds: each one up to the next dot product it needs,
 * whose sums are then taken LANES entries at a time, pairs with one partner together (DotPlan:
 * reading the embeddings is the cost). The pass that takes an entry's first dot product also takes
 * its squared norm (the loads are shared), so the norms that bound later dot products cost almost
 * nothing; the first pair of an entry needs no bound.
 */
export function semanticIos(entries: readonly MergeInput[]): Float64Array {
  const n = entries.length;
  const best = new Float64Array(n);
  // ‖ĝ‖² of each entry, NaN until taken.
  const norms = new Float64Array(n).fill(Number.NaN);
  const axes = new Float64Array(n);
  for (let i = 0; i < n; i++) axes[i] = entries[i].axis ?? Number.NaN;
  const near = nearEarlier(entries, axes);
  const cursor = near.from.slice(0, n);

  /**
   * A bound on |ĝ_i·ĝ_j|: ‖ĝ_i‖·‖ĝ_j‖ ≤ max(‖ĝ_i‖², ‖ĝ_j‖²) (Cauchy–Schwarz), with room for rounding;
   * ≈ 1 for normalised vectors, but received embeddings (e.g. through float16) need not be.
   */
  function cosineMax(i: number, j: number): number {
    if (Number.isNaN(norms[i])) norms[i] = squaredNorm(entries[i].embedding);
    if (Number.isNaN(norms[j])) norms[j] = squaredNorm(entries[j].embedding);
    const ni = norms[i];
    const nj = norms[j];
    const plain = Math.max(ni, nj) * (1 + 1e-9);
    const ai = axes[i];
    const aj = axes[j];
    if (Number.isNaN(ai) || Number.isNaN(aj)) return plain;
    // Split along the shared axis u: ĝ_i·ĝ_j = a_i·a_j + r_i·r_j ≤ a_i·a_j + ‖r_i‖·‖r_j‖, ‖r‖² = ‖ĝ‖² − a².
    // The margin (relative 1e-9) is far above the rounding of every term and of the dot itself.
    const margin = plain * 1e-9;
    const split = ai * aj + Math.sqrt(Math.max(0, ni - ai * ai) + margin) * Math.sqrt(Math.max(0, nj - aj * aj) + margin) + margin;
    return split < plain ? split : plain;
  }

  /** Advances entry i to the next earlier mask whose dot product could raise its maximum: its index, or −1. */
  function next(i: number): number {
    const e = entries[i];
    const end = near.from[i + 1];
    while (cursor[i] < end) {
      const t = cursor[i]++;
      const j = near.index[t];
      if (best[i] === 0) {
        // Nothing to beat yet: any pair of masks that meet may set the maximum.
        const inter = intersectionAreaAbove(e.ends, e.area, entries[j].ends, entries[j].area, -1);
        if (inter === 0) continue;
        fraction[i] = inter / e.area;
        return j;
      }
      const bound = cosineMax(i, j);
      if ((near.overlap[t] / e.area) * bound <= best[i]) continue;
      // Intersections up to `pruned` pixels cannot raise the maximum: their walks may stop early.
      const inter = intersectionAreaAbove(e.ends, e.area, entries[j].ends, entries[j].area, largestPruned(best[i], e.area, bound));
      if (inter <= 0 || (inter / e.area) * bound <= best[i]) continue;
      fraction[i] = inter / e.area;
      return j;
    }
    cursor[i] = end;
    return -1;
  }

  const fraction = new Float64Array(n);
  let active = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (near.from[i] < near.from[i + 1]) active[count++] = i;
  let waiting = new Int32Array(n);
  const partner = new Int32Array(n);
  const plan = new DotPlan(n);
  const sims = new Float64Array(LANES);
  while (count > 0) {
    let due = 0;
    for (let a = 0; a < count; a++) {
      const i = active[a];
      const j = next(i);
      if (j < 0) continue;
      waiting[due] = i;
      partner[due++] = j;
    }
    plan.make(partner, due);
    const lanes = plan.lanes;
    for (let at = 0; at < plan.size; at += LANES) {
      let known = true;
      for (let l = 0; l < LANES; l++) known &&= !Number.isNaN(norms[waiting[lanes[at + l]]]);
      // The norms come with the pass that first needs them (each entry's first round).
      sequentialDots(entries, waiting, partner, lanes, at, at < plan.pairedEnd, sims, known ? null : norms);
      for (let l = 0; l < LANES; l++) {
        // A padded lane repeats the pair before it, whose value is taken.
        if (l > 0 && lanes[at + l] === lanes[at + l - 1]) continue;
        const i = waiting[lanes[at + l]];
        const sim = sims[l];
        if (sim <= 0) continue;
        const v = fraction[i] * sim;
        if (v > best[i]) best[i] = v;
      }
    }
    [active, waiting] = [waiting, active];
    count = due;
  }
  return best;
}

/** The decayed score: score · sqrt(1 − ios). */
export function decayedScore(score: number, ios: number): number {
  return score * Math.sqrt(1 - ios);
}

interface NearLists {
  /** Entry i's earlier same-label masks whose boxes meet its own are index[from[i] … from[i+1]), */
  index: Int32Array;
  /** by decreasing box overlap (in pixels). */
  overlap: Float64Array;
  from: Int32Array;
}

function nearEarlier(entries: readonly MergeInput[], axes: Float64Array): NearLists {
  const n = entries.length;
  const from = new Int32Array(n + 1);
  let index = new Int32Array(Math.max(16, 4 * n));
  let overlap = new Float64Array(index.length);
  let key = new Float64Array(index.length);
  // sin of each entry's angle to its axis, as if normalised: only orders the visits.
  const off = new Float64Array(n);
  for (let i = 0; i < n; i++) off[i] = Math.sqrt(Math.max(0, 1 - axes[i] * axes[i]));
  // Boxes and areas flat; the entries of each label in index order, one run of `members` per label.
  const boxes = new Float64Array(4 * n);
  const areas = new Float64Array(n);
  const group = new Int32Array(n);
  const groupOf = new Map<number, number>();
  const groupSize: number[] = [];
  for (let i = 0; i < n; i++) {
    const e = entries[i];
    putBox(boxes, 4 * i, e.box);
    areas[i] = e.area;
    let g = groupOf.get(e.label);
    if (g === undefined) {
      g = groupSize.length;
      groupOf.set(e.label, g);
      groupSize.push(0);
    }
    group[i] = g;
    groupSize[g]++;
  }
  const groupStart = new Int32Array(groupSize.length + 1);
  groupSize.forEach((size, g) => (groupStart[g + 1] = groupStart[g] + size));
  const seen = new Int32Array(groupSize.length);
  const members = new Int32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const g = group[i];
    const first = groupStart[g];
    const last = first + seen[g]++;
    members[last] = i;
    if (size + last - first > index.length) {
      const grown = Math.max(2 * index.length, size + last - first);
      index = grow(index, new Int32Array(grown), size);
      overlap = grow(overlap, new Float64Array(grown), size);
      key = grow(key, new Float64Array(grown), size);
    }
    const ix0 = boxes[4 * i];
    const iy0 = boxes[4 * i + 1];
    const ix1 = boxes[4 * i + 2];
    const iy1 = boxes[4 * i + 3];
    const areaI = areas[i];
    // Insertion sort: each entry meets a handful of earlier boxes.
    const start = size;
    for (let m = first; m < last; m++) {
      const j = members[m];
      // Pixels shared by the two inclusive boxes, at most either mask's area (ternaries:
      // Math.min and Math.max cost more here, for their NaN and −0 rules).
      const jx0 = boxes[4 * j];
      const jy0 = boxes[4 * j + 1];
      const jx1 = boxes[4 * j + 2];
      const jy1 = boxes[4 * j + 3];
      const w = (jx1 < ix1 ? jx1 : ix1) - (jx0 > ix0 ? jx0 : ix0) + 1;
      if (w <= 0) continue;
      const h = (jy1 < iy1 ? jy1 : iy1) - (jy0 > iy0 ? jy0 : iy0) + 1;
      if (h <= 0) continue;
      const wh = w * h < areas[j] ? w * h : areas[j];
      const o = wh < areaI ? wh : areaI;
      if (o === 0) continue;
      const estimate = axes[i] * axes[j] + off[i] * off[j];
      const k = estimate === estimate ? o * estimate : o;
      let at = size++;
      for (; at > start && key[at - 1] < k; at--) {
        index[at] = index[at - 1];
        overlap[at] = overlap[at - 1];
        key[at] = key[at - 1];
      }
      index[at] = j;
      overlap[at] = o;
      key[at] = k;
    }
    from[i + 1] = size;
  }
  return { index, overlap, from };
}

function grow<T extends Int32Array | Float64Array>(old: T, bigger: T, used: number): T {
  bigger.set(old.subarray(0, used));
  return bigger;
}

/**
 * The largest intersection x (0 ≤ x ≤ area) with (x / area) · cosineMax ≤ best, the test that
 * skips a pair (monotone in x); −1 when none passes or the bound is not a positive finite number.
 */
function largestPruned(best: number, area: number, cosineMax: number): number {
  if (!(cosineMax > 0 && cosineMax < Infinity && best > 0)) return -1;
  let x = Math.min(area, Math.floor((best / cosineMax) * area));
  while (x >= 0 && !((x / area) * cosineMax <= best)) x--;
  while (x < area && ((x + 1) / area) * cosineMax <= best) x++;
  return x;
}

/**
 * The order of a round's dot products, LANES pairs per pass. A pass costs its loads (two float32
 * per pair and component, each converted and bounds-checked), so pairs with the same partner go
 * together: in each group before `pairedEnd`, lanes 0 and 1 have one partner and lanes 2 and 3 one.
 */
class DotPlan {
  /** Indices of the round's pairs, LANES per group; a short last group repeats its last pair. */
  readonly lanes: Int32Array;
  size = 0;
  pairedEnd = 0;
  readonly #start: Int32Array;
  readonly #sorted: Int32Array;
  readonly #singles: Int32Array;

  constructor(n: number) {
    this.lanes = new Int32Array(n + LANES);
    this.#start = new Int32Array(n + 1);
    this.#sorted = new Int32Array(n);
    this.#singles = new Int32Array(n);
  }

  /** Plans pairs 0…due−1 of partners partner[0…due−1] (each below n). */
  make(partner: Int32Array, due: number): void {
    // Counting sort by partner puts equal partners side by side.
    const start = this.#start.fill(0);
    for (let d = 0; d < due; d++) start[partner[d] + 1]++;
    for (let j = 1; j < start.length; j++) start[j] += start[j - 1];
    const sorted = this.#sorted;
    for (let d = 0; d < due; d++) sorted[start[partner[d]]++] = d;
    // Two pairs with one partner make half of a paired group; the others go four by four after.
    const lanes = this.lanes;
    const singles = this.#singles;
    let halves = 0;
    let single = 0;
    for (let s = 0; s < due; s++) {
      if (s + 1 < due && partner[sorted[s]] === partner[sorted[s + 1]]) {
        lanes[2 * halves] = sorted[s];
        lanes[2 * halves + 1] = sorted[s + 1];
        halves++;
        s++;
      } else singles[single++] = sorted[s];
    }
    if (halves % 2 === 1) {
      halves--;
      singles[single++] = lanes[2 * halves];
      singles[single++] = lanes[2 * halves + 1];
    }
    let at = 2 * halves;
    this.pairedEnd = at;
    for (let k = 0; k < single; k++) lanes[at++] = singles[k];
    for (; at % LANES !== 0; at++) lanes[at] = lanes[at - 1];
    this.size = at;
  }
}

/**
 * sims[l] = ĝ_i·ĝ_j for the pair (i, j) = (first[d], second[d]), d = lanes[at + l]: Σ_k in float64
 * in increasing k over i's components, one chain of adds per pair (the plain sequential dot
 * product, whatever pass computes it). `paired`: lanes 0 and 1 have one second vector, and lanes 2
 * and 3 one, read once for both. With `norms`, norms[i] = ‖ĝ_i‖² of each first vector as well.
 */
function sequentialDots(
  entries: readonly MergeInput[],
  first: Int32Array,
  second: Int32Array,
  lanes: Int32Array,
  at: number,
  paired: boolean,
  sims: Float64Array,
  norms: Float64Array | null,
): void {
  const i0 = first[lanes[at]];
  const i1 = first[lanes[at + 1]];
  const i2 = first[lanes[at + 2]];
  const i3 = first[lanes[at + 3]];
  const e0 = entries[i0].embedding;
  const e1 = entries[i1].embedding;
  const e2 = entries[i2].embedding;
  const e3 = entries[i3].embedding;
  const o0 = entries[second[lanes[at]]].embedding;
  const o1 = entries[second[lanes[at + 1]]].embedding;
  const o2 = entries[second[lanes[at + 2]]].embedding;
  const o3 = entries[second[lanes[at + 3]]].embedding;
  const n = e0.length;
  if (e1.length !== n || e2.length !== n || e3.length !== n) {
    sims[0] = dot(e0, o0);
    sims[1] = dot(e1, o1);
    sims[2] = dot(e2, o2);
    sims[3] = dot(e3, o3);
    return;
  }
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  // Four loops for the two layouts, with and without the norms: the same sums, fewer loads.
  if (norms === null) {
    if (paired) {
      for (let k = 0; k < n; k++) {
        const a = o0[k];
        const b = o2[k];
        s0 += e0[k] * a;
        s1 += e1[k] * a;
        s2 += e2[k] * b;
        s3 += e3[k] * b;
      }
    } else {
      for (let k = 0; k < n; k++) {
        s0 += e0[k] * o0[k];
        s1 += e1[k] * o1[k];
        s2 += e2[k] * o2[k];
        s3 += e3[k] * o3[k];
      }
    }
  } else {
    // The squared norms of the first vectors in the same pass (the loads are shared); any
    // summation order: they only bound.
    let p0 = 0;
    let p1 = 0;
    let p2 = 0;
    let p3 = 0;
    if (paired) {
      for (let k = 0; k < n; k++) {
        const x0 = e0[k];
        const x1 = e1[k];
        const x2 = e2[k];
        const x3 = e3[k];
        const a = o0[k];
        const b = o2[k];
        s0 += x0 * a;
        s1 += x1 * a;
        s2 += x2 * b;
        s3 += x3 * b;
        p0 += x0 * x0;
        p1 += x1 * x1;
        p2 += x2 * x2;
        p3 += x3 * x3;
      }
    } else {
      for (let k = 0; k < n; k++) {
        const x0 = e0[k];
        const x1 = e1[k];
        const x2 = e2[k];
        const x3 = e3[k];
        s0 += x0 * o0[k];
        s1 += x1 * o1[k];
        s2 += x2 * o2[k];
        s3 += x3 * o3[k];
        p0 += x0 * x0;
        p1 += x1 * x1;
        p2 += x2 * x2;
        p3 += x3 * x3;
      }
    }
    norms[i0] = p0;
    norms[i1] = p1;
    norms[i2] = p2;
    norms[i3] = p3;
  }
  sims[0] = s0;
  sims[1] = s1;
  sims[2] = s2;
  sims[3] = s3;
}

/** Σ a[k]·b[k] in float64 in increasing k. */
function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
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
