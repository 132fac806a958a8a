// Per-axis tables of torch 1.13 CPU `F.interpolate` on float32 (align_corners=False), computed
// the way its CPU kernels do: a float32 scale in/out, the source index and weights in float64,
// the weights rounded to float32 (spec/method.md §7.3, fixtures README §3.2). The antialiased
// triangle weights are computed entirely in float32, as torch does, which makes them bit-identical.
import type { SpanAxis, TapAxis } from './axis.ts';
import { checkSize } from './check.ts';

const f32 = Math.fround;

/** torch's `area_pixel_compute_scale` for float32: float(in) / out, rounded to float32. */
export function torchScale(inSize: number, outSize: number): number {
  return f32(f32(inSize) / f32(outSize));
}

const A = -0.75;
const cubic1 = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
const cubic2 = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;

/** Bicubic (A = −0.75, no antialias): 4 taps `floor(src) − 1 … + 2`, indices clamped to the input. */
export function bicubicAxis(inSize: number, outSize: number): TapAxis {
  checkSize('inSize', inSize);
  checkSize('outSize', outSize);
  const scale = torchScale(inSize, outSize);
  const index = new Int32Array(outSize * 4);
  const weights = new Float32Array(outSize * 4);
  for (let i = 0; i < outSize; i++) {
    const src = scale * (i + 0.5) - 0.5;
    const i0 = Math.floor(src);
    const t = src - i0;
    const k = i * 4;
    weights[k] = cubic2(t + 1);
    weights[k + 1] = cubic1(t);
    weights[k + 2] = cubic1(1 - t);
    weights[k + 3] = cubic2(2 - t);
    for (let j = 0; j < 4; j++) index[k + j] = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
  }
  return { taps: 4, index, weights };
}

/** Bilinear without antialias: source index clamped at 0, second tap clamped to the last input. */
export function bilinearAxis(inSize: number, outSize: number): TapAxis {
  checkSize('inSize', inSize);
  checkSize('outSize', outSize);
  const scale = torchScale(inSize, outSize);
  const index = new Int32Array(outSize * 2);
  const weights = new Float32Array(outSize * 2);
  for (let i = 0; i < outSize; i++) {
    const src = Math.max(scale * (i + 0.5) - 0.5, 0);
    const i0 = Math.floor(src);
    const lambda = src - i0;
    index[2 * i] = i0;
    index[2 * i + 1] = i0 < inSize - 1 ? i0 + 1 : i0;
    weights[2 * i] = 1 - lambda;
    weights[2 * i + 1] = lambda;
  }
  return { taps: 2, index, weights };
}

/**
 * Bilinear with `antialias=True`: a triangle filter widened to the downscale factor (plain
 * half-pixel bilinear when upsampling). Weights are bit-identical to torch's float32 ones.
 */
export function bilinearAaAxis(inSize: number, outSize: number): SpanAxis<Float32Array> {
  checkSize('inSize', inSize);
  checkSize('outSize', outSize);
  const scale = torchScale(inSize, outSize);
  const support = scale >= 1 ? scale : 1;
  const inv = scale >= 1 ? f32(1 / scale) : 1;
  const start = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const windowMax = Math.ceil(support) * 2 + 1;
  const raw = new Float32Array(outSize * windowMax);
  let maxSize = 0;
  for (let i = 0; i < outSize; i++) {
    const centre = f32(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f32(centre - support) + 0.5), 0);
    const n = Math.min(Math.trunc(f32(centre + support) + 0.5), inSize) - xmin;
    const k = i * windowMax;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const x = Math.abs(f32((f32(j + xmin - centre) + 0.5) * inv));
      const w = x < 1 ? f32(1 - x) : 0;
      raw[k + j] = w;
      total = f32(total + w);
    }
    if (total !== 0) for (let j = 0; j < n; j++) raw[k + j] = raw[k + j] / total;
    start[i] = xmin;
    size[i] = n;
    if (n > maxSize) maxSize = n;
  }
  const weights = new Float32Array(outSize * maxSize);
  for (let i = 0; i < outSize; i++) weights.set(raw.subarray(i * windowMax, i * windowMax + maxSize), i * maxSize);
  return { start, size, weights, maxSize };
}

/** Nearest: input index `min(floor(float32(dst) · scale), in − 1)`; identity when sizes match, `dst >> 1` when doubling. */
export function nearestIndex(inSize: number, outSize: number): Int32Array {
  checkSize('inSize', inSize);
  checkSize('outSize', outSize);
  const index = new Int32Array(outSize);
  const scale = torchScale(inSize, outSize);
  for (let i = 0; i < outSize; i++) {
    if (outSize === inSize) index[i] = i;
    else if (outSize === 2 * inSize) index[i] = i >> 1;
    else index[i] = Math.min(Math.floor(f32(f32(i) * scale)), inSize - 1);
  }
  return index;
}
