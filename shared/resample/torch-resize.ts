// torch 1.13 CPU `F.interpolate` on float32 CHW tensors (one image, align_corners=False).
import { spanToGather, tapsToGather } from './axis.ts';
import { checkBuffer, checkSize } from './check.ts';
import { resampleCols, resampleRows } from './separable-f32.ts';
import { bicubicAxis, bilinearAaAxis, bilinearAxis, nearestIndex } from './torch-axes.ts';

function checkTensor(x: Float32Array, c: number, h: number, w: number, outH: number, outW: number): void {
  checkSize('c', c);
  checkSize('h', h);
  checkSize('w', w);
  checkSize('outH', outH);
  checkSize('outW', outW);
  checkBuffer('x', x.length, c * h * w);
}

/**
 * `mode='bicubic'` (A = −0.75, no antialias). Both passes always run, as torch's direct kernel
 * does: at equal size the weights are (0, 1, 0, 0), so finite values come back unchanged.
 * Results are not clamped (overshoot is kept).
 */
export function torchBicubic(x: Float32Array, c: number, h: number, w: number, outH: number, outW: number): Float32Array {
  checkTensor(x, c, h, w, outH, outW);
  const rows = resampleRows(x, c * h, w, tapsToGather(bicubicAxis(w, outW)));
  return resampleCols(rows, c, h, outW, tapsToGather(bicubicAxis(h, outH)));
}

export interface BilinearOptions {
  /** torch's `antialias`: widen the triangle filter on axes that shrink. */
  antialias: boolean;
}

/** `mode='bilinear'`, with or without antialias. */
export function torchBilinear(
  x: Float32Array,
  c: number,
  h: number,
  w: number,
  outH: number,
  outW: number,
  options: BilinearOptions,
): Float32Array {
  checkTensor(x, c, h, w, outH, outW);
  if (!options.antialias) {
    const rows = resampleRows(x, c * h, w, tapsToGather(bilinearAxis(w, outW)));
    return resampleCols(rows, c, h, outW, tapsToGather(bilinearAxis(h, outH)));
  }
  // torch's separable antialiased kernel copies at equal size and skips an unchanged axis.
  let y = x;
  if (outW !== w) y = resampleRows(y, c * h, w, spanToGather(bilinearAaAxis(w, outW)));
  if (outH !== h) y = resampleCols(y, c, h, outW, spanToGather(bilinearAaAxis(h, outH)));
  return y === x ? x.slice() : y;
}

/** `mode='nearest'` (exact copies of input values). */
export function torchNearest(x: Float32Array, c: number, h: number, w: number, outH: number, outW: number): Float32Array {
  checkTensor(x, c, h, w, outH, outW);
  const iy = nearestIndex(h, outH);
  const ix = nearestIndex(w, outW);
  const out = new Float32Array(c * outH * outW);
  let o = 0;
  for (let p = 0; p < c; p++) {
    for (let y = 0; y < outH; y++) {
      const row = (p * h + iy[y]) * w;
      for (let xx = 0; xx < outW; xx++) out[o++] = x[row + ix[xx]];
    }
  }
  return out;
}
