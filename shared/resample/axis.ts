// Per-axis resampling tables. Every resampler here is separable: one table per axis says, for
// each output index, which input samples it reads and with what weight. The matcher reuses the
// same tables for separable pooling and logits upsampling, so their layout is public.

/**
 * Contiguous-window table (antialiased kernels: Pillow's and torch's `antialias=True`).
 * Output `i` reads inputs `start[i] … start[i] + size[i] − 1`; tap `j` has weight
 * `weights[i * maxSize + j]` (row-major `[outSize, maxSize]`, entries with `j ≥ size[i]` are 0).
 * `maxSize = max(size)`. Taps are summed in increasing `j`.
 */
export interface SpanAxis<W extends Int32Array | Float32Array = Float32Array> {
  start: Int32Array;
  size: Int32Array;
  weights: W;
  maxSize: number;
}

/**
 * Fixed-tap table with explicit, possibly repeated indices (torch's non-antialiased kernels
 * clamp taps at the borders, so a window is not contiguous there). Output `i` reads input
 * `index[i * taps + j]` with weight `weights[i * taps + j]`, `j = 0 … taps − 1`, summed in
 * increasing `j`.
 */
export interface TapAxis {
  taps: number;
  index: Int32Array;
  weights: Float32Array;
}

/** Either table, in the flat form the float32 passes walk: `count[i]` taps at `i * stride`. */
export interface GatherAxis {
  outSize: number;
  stride: number;
  count: Int32Array;
  index: Int32Array;
  weights: Float32Array;
}

export function spanToGather(axis: SpanAxis<Float32Array>): GatherAxis {
  const outSize = axis.start.length;
  const stride = axis.maxSize;
  const index = new Int32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    for (let j = 0; j < axis.size[i]; j++) index[i * stride + j] = axis.start[i] + j;
  }
  return { outSize, stride, count: axis.size, index, weights: axis.weights };
}

export function tapsToGather(axis: TapAxis): GatherAxis {
  const outSize = axis.index.length / axis.taps;
  return { outSize, stride: axis.taps, count: new Int32Array(outSize).fill(axis.taps), index: axis.index, weights: axis.weights };
}
