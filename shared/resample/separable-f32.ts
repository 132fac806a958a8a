// The two float32 passes every torch resampler here is made of. torch 1.13 CPU sums taps in
// float32 starting from the first product (`out = x0·w0; out += xj·wj`), width taps inside,
// height taps outside; rounding each product and each sum to float32 reproduces that.
import type { GatherAxis } from './axis.ts';

const f32 = Math.fround;

/** Each of `rows` rows of length `inW` resampled along its length: returns rows × axis.outSize. */
export function resampleRows(src: Float32Array, rows: number, inW: number, axis: GatherAxis): Float32Array {
  const { outSize, stride, count, index, weights } = axis;
  const out = new Float32Array(rows * outSize);
  for (let r = 0; r < rows; r++) {
    const row = r * inW;
    const o = r * outSize;
    for (let i = 0; i < outSize; i++) {
      const k = i * stride;
      let acc = f32(src[row + index[k]] * weights[k]);
      for (let j = 1; j < count[i]; j++) acc = f32(acc + f32(src[row + index[k + j]] * weights[k + j]));
      out[o + i] = acc;
    }
  }
  return out;
}

/** Each of `planes` planes of `inH` rows × `w` resampled along its height: returns planes × axis.outSize × w. */
export function resampleCols(src: Float32Array, planes: number, inH: number, w: number, axis: GatherAxis): Float32Array {
  const { outSize, stride, count, index, weights } = axis;
  const out = new Float32Array(planes * outSize * w);
  for (let p = 0; p < planes; p++) {
    const plane = p * inH * w;
    for (let i = 0; i < outSize; i++) {
      const k = i * stride;
      const o = (p * outSize + i) * w;
      // Whole rows at a time: sequential reads, and the per-element tap order is unchanged.
      // Storing into the Float32Array rounds each sum to float32.
      let row = plane + index[k] * w;
      let wt = weights[k];
      for (let x = 0; x < w; x++) out[o + x] = src[row + x] * wt;
      for (let j = 1; j < count[i]; j++) {
        row = plane + index[k + j] * w;
        wt = weights[k + j];
        for (let x = 0; x < w; x++) out[o + x] += f32(src[row + x] * wt);
      }
    }
  }
  return out;
}
