// Mask embeddings of the target (method.md §3.4): the mean of the patch features, upsampled to the
// 256 grid with torch's antialiased bilinear, over the cells of a low-res mask, L2-normalised.
//
// The upsampled map is never built. With Ay, Ax the 256×rows and 256×cols upsampling matrices,
// the sum over the mask is Σ W[a,b]·F[a,b,:] with W = Ayᵀ·B·Ax, and W is zero away from the
// mask's box, so the cost is (box cells)·D instead of 256²·D. Inside the mask W is the same for
// every fully covered cell, so those cells are summed along rows from prefix sums (per image:
// rows·(cols+1)·D float64, 11.5 MB for 37×37×1024) and only the cells along the edge cost D each.
import { bilinearAaAxis } from '../resample/index.ts';
import type { SpanAxis } from '../resample/index.ts';
import { ShapeMismatchError } from './errors.ts';
import { LOW_RES } from './low-res-mask.ts';
import type { LowResMask } from './low-res-mask.ts';

/** Patch features of the target, row-major [rows, cols, dim] (DINOv2 with patch 14 at 518²: 37×37). */
export interface PatchFeatures {
  data: Float32Array;
  rows: number;
  cols: number;
  dim: number;
}

/** F.normalize's floor on the norm. */
const NORM_EPS = 1e-12;

export interface MaskPooler {
  dim: number;
  /** Normalised embedding of a mask, or null for an empty mask (officially a NaN row). */
  embed(mask: LowResMask): Float32Array | null;
}

export function createMaskPooler(features: PatchFeatures): MaskPooler {
  const { data, rows, cols, dim } = features;
  if (data.length !== rows * cols * dim) {
    throw new ShapeMismatchError(`features have ${data.length} values, ${rows}×${cols}×${dim} needs ${rows * cols * dim}`);
  }
  const ay = bilinearAaAxis(rows, LOW_RES);
  const ax = bilinearAaAxis(cols, LOW_RES);
  const ySupport = support(ay, rows);
  const xSupport = support(ax, cols);
  const pool: Pool = {
    ay,
    ax,
    prefixX: columnPrefixSums(ax, cols),
    xLo: xSupport.lo,
    xHi: xSupport.hi,
    yLo: ySupport.lo,
    yHi: ySupport.hi,
    cols,
    dim,
    data,
    rowPrefix: fullCellRowPrefix(features, ySupport.total, xSupport.total),
    w: new Float64Array(rows * cols),
    inside: new Int32Array(rows * cols),
    sum: new Float64Array(dim),
    batchWeight: new Float64Array(BATCH),
    batchOffset: new Int32Array(BATCH),
  };

  function embed(mask: LowResMask): Float32Array | null {
    if (mask.area === 0) return null;
    const [bx1, by1, bx2, by2] = mask.box;
    const aLo = ay.start[by1];
    const aHi = ay.start[by2] + ay.size[by2];
    const bLo = ax.start[bx1];
    const bHi = ax.start[bx2] + ax.size[bx2];
    for (let a = aLo; a < aHi; a++) {
      pool.w.fill(0, a * cols + bLo, a * cols + bHi);
      pool.inside.fill(0, a * cols + bLo, a * cols + bHi);
    }
    addRunWeights(pool, mask.runs);
    pool.sum.fill(0);
    poolCells(pool, aLo, aHi, bLo, bHi);
    return normalizedMean(pool.sum, mask.area);
  }

  return { dim, embed };
}

/** Tables and scratch of one feature map. The kernels below take it as an argument: V8 reloads a closure's captured variables on every use in a loop, not a parameter's. */
interface Pool {
  ay: SpanAxis;
  ax: SpanAxis;
  /** prefixX[x·cols + b] = Σ_{x' < x} Ax[x', b]. */
  prefixX: Float64Array;
  /** Support of each feature cell on the 256 grid (Support.lo / hi). */
  xLo: Int32Array;
  xHi: Int32Array;
  yLo: Int32Array;
  yHi: Int32Array;
  cols: number;
  dim: number;
  data: Float32Array;
  rowPrefix: Float64Array;
  /** W = Ayᵀ·B·Ax over the current box. */
  w: Float64Array;
  /** Mask cells inside each feature cell's support rectangle. */
  inside: Int32Array;
  sum: Float64Array;
  batchWeight: Float64Array;
  batchOffset: Int32Array;
}

/**
 * W += Ay[y, a] · Σ_{x in run} Ax[x, :] for every run and tap a of its row (the inner sum is a
 * prefix difference); `inside` counts the run's cells within each cell's support.
 */
function addRunWeights(pool: Pool, runs: Int32Array): void {
  const { ay, ax, prefixX, xLo, xHi, cols, w, inside } = pool;
  const yStart = ay.start;
  const ySize = ay.size;
  const yWeights = ay.weights;
  const yTaps = ay.maxSize;
  const xStart = ax.start;
  const xSize = ax.size;
  for (let r = 0; r < runs.length; r += 3) {
    const y = runs[r];
    const x0 = runs[r + 1];
    const x1 = runs[r + 2];
    const from = xStart[x0];
    const to = xStart[x1 - 1] + xSize[x1 - 1];
    const p0 = x0 * cols;
    const p1 = x1 * cols;
    for (let j = 0; j < ySize[y]; j++) {
      const wy = yWeights[y * yTaps + j];
      if (wy === 0) continue;
      const rowW = (yStart[y] + j) * cols;
      for (let b = from; b < to; b++) {
        w[rowW + b] += wy * (prefixX[p1 + b] - prefixX[p0 + b]);
        const overlap = Math.min(x1, xHi[b]) - Math.max(x0, xLo[b]);
        if (overlap > 0) inside[rowW + b] += overlap;
      }
    }
  }
}

/**
 * sum = Σ W[a,b]·F[a,b,:] over the box. A cell whose whole support lies in the mask has
 * W = cy[a]·cx[b]; runs of such cells along a row come from the row prefix sums in one pass. The
 * rest go in batches of BATCH, in row order.
 */
function poolCells(pool: Pool, aLo: number, aHi: number, bLo: number, bHi: number): void {
  const { xLo, xHi, yLo, yHi, cols, dim, data, rowPrefix, w, inside, sum, batchWeight, batchOffset } = pool;
  let pending = 0;
  for (let a = aLo; a < aHi; a++) {
    const height = yHi[a] - yLo[a];
    let fullFrom = -1;
    for (let b = bLo; b <= bHi; b++) {
      const cell = a * cols + b;
      const full = b < bHi && inside[cell] === height * (xHi[b] - xLo[b]);
      if (full) {
        if (fullFrom < 0) fullFrom = b;
        continue;
      }
      if (fullFrom >= 0) {
        addDifference(sum, rowPrefix, (a * (cols + 1) + fullFrom) * dim, (a * (cols + 1) + b) * dim);
        fullFrom = -1;
      }
      if (b === bHi || w[cell] === 0) continue;
      batchWeight[pending] = w[cell];
      batchOffset[pending] = cell * dim;
      if (++pending === BATCH) {
        addBatch(sum, data, batchWeight, batchOffset);
        pending = 0;
      }
    }
  }
  addEach(sum, data, batchWeight, batchOffset, pending);
}

// In the kernels below `| 0` keeps the index arithmetic in int32, which spares V8 an overflow
// check per access.

/** sum += prefix[o1 …] − prefix[o0 …]. */
function addDifference(sum: Float64Array, prefix: Float64Array, o0: number, o1: number): void {
  for (let k = 0; k < sum.length; k++) sum[k] += prefix[(o1 + k) | 0] - prefix[(o0 + k) | 0];
}

/** Cells whose products go through one pass over the sum. */
const BATCH = 8;

/** sum += Σ_p weights[p]·data[offsets[p] …], BATCH cells per pass (fewer loads and stores of sum). */
function addBatch(sum: Float64Array, data: Float32Array, weights: Float64Array, offsets: Int32Array): void {
  const w0 = weights[0];
  const w1 = weights[1];
  const w2 = weights[2];
  const w3 = weights[3];
  const w4 = weights[4];
  const w5 = weights[5];
  const w6 = weights[6];
  const w7 = weights[7];
  const o0 = offsets[0];
  const o1 = offsets[1];
  const o2 = offsets[2];
  const o3 = offsets[3];
  const o4 = offsets[4];
  const o5 = offsets[5];
  const o6 = offsets[6];
  const o7 = offsets[7];
  for (let k = 0; k < sum.length; k++) {
    sum[k] +=
      w0 * data[(o0 + k) | 0] + w1 * data[(o1 + k) | 0] + w2 * data[(o2 + k) | 0] + w3 * data[(o3 + k) | 0] +
      w4 * data[(o4 + k) | 0] + w5 * data[(o5 + k) | 0] + w6 * data[(o6 + k) | 0] + w7 * data[(o7 + k) | 0];
  }
}

/**
 * sum += weights[p]·data[offsets[p] …] for p = 0 … count−1, one after the other: the adds of up to
 * four cells share a pass over the sum (the same operations in the same order as a pass each).
 */
function addEach(sum: Float64Array, data: Float32Array, weights: Float64Array, offsets: Int32Array, count: number): void {
  let p = 0;
  for (; p + 4 <= count; p += 4) {
    const w0 = weights[p];
    const w1 = weights[p + 1];
    const w2 = weights[p + 2];
    const w3 = weights[p + 3];
    const o0 = offsets[p];
    const o1 = offsets[p + 1];
    const o2 = offsets[p + 2];
    const o3 = offsets[p + 3];
    for (let k = 0; k < sum.length; k++) {
      let s = sum[k];
      s += w0 * data[(o0 + k) | 0];
      s += w1 * data[(o1 + k) | 0];
      s += w2 * data[(o2 + k) | 0];
      s += w3 * data[(o3 + k) | 0];
      sum[k] = s;
    }
  }
  for (; p < count; p++) {
    const wp = weights[p];
    const off = offsets[p];
    for (let k = 0; k < sum.length; k++) sum[k] += wp * data[(off + k) | 0];
  }
}

interface Support {
  /** 256-grid positions with a positive weight on cell c: lo[c] … hi[c]−1 (contiguous: a triangle). */
  lo: Int32Array;
  hi: Int32Array;
  /** Σ of cell c's weights over the grid (cy or cx). */
  total: Float64Array;
}

function support(axis: SpanAxis, cells: number): Support {
  const lo = new Int32Array(cells).fill(LOW_RES);
  const hi = new Int32Array(cells);
  const total = new Float64Array(cells);
  for (let p = 0; p < LOW_RES; p++) {
    for (let j = 0; j < axis.size[p]; j++) {
      const weight = axis.weights[p * axis.maxSize + j];
      if (weight === 0) continue;
      const c = axis.start[p] + j;
      if (p < lo[c]) lo[c] = p;
      hi[c] = p + 1;
      total[c] += weight;
    }
  }
  return { lo, hi, total };
}

/** prefix[(a·(cols+1) + b)·dim + k] = Σ_{b' < b} cy[a]·cx[b']·F[a,b',k]: full cells of row a, summed. */
function fullCellRowPrefix(features: PatchFeatures, cy: Float64Array, cx: Float64Array): Float64Array {
  const { data, rows, cols, dim } = features;
  const prefix = new Float64Array(rows * (cols + 1) * dim);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < cols; b++) {
      const weight = cy[a] * cx[b];
      const src = (a * cols + b) * dim;
      const prev = (a * (cols + 1) + b) * dim;
      const next = prev + dim;
      for (let k = 0; k < dim; k++) prefix[next + k] = prefix[prev + k] + weight * data[src + k];
    }
  }
  return prefix;
}

/** prefix[x·cols + b] = Σ_{x' < x} Ax[x', b], for x = 0…256. */
function columnPrefixSums(ax: SpanAxis, cols: number): Float64Array {
  const prefix = new Float64Array((LOW_RES + 1) * cols);
  for (let x = 0; x < LOW_RES; x++) {
    const from = x * cols;
    prefix.copyWithin(from + cols, from, from + cols);
    for (let j = 0; j < ax.size[x]; j++) prefix[from + cols + ax.start[x] + j] += ax.weights[x * ax.maxSize + j];
  }
  return prefix;
}

/** F.normalize(sum / count): divide by max(‖mean‖, 1e-12). */
function normalizedMean(sum: Float64Array, count: number): Float32Array {
  let sq = 0;
  for (let k = 0; k < sum.length; k++) {
    const v = sum[k] / count;
    sq += v * v;
  }
  const scale = 1 / (count * Math.max(Math.sqrt(sq), NORM_EPS));
  const out = new Float32Array(sum.length);
  for (let k = 0; k < sum.length; k++) out[k] = sum[k] * scale;
  return out;
}
