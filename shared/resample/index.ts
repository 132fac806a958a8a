// Exact resamplers: Pillow BICUBIC on 8-bit RGB and torch 1.13 CPU interpolation on float32,
// plus their per-axis weight tables (spec/method.md §7.3).
export type { GatherAxis, SpanAxis, TapAxis } from './axis.ts';
export { spanToGather, tapsToGather } from './axis.ts';
export { ResampleArgumentError } from './check.ts';
export { pilBicubicAxis, pilBicubicRgb8 } from './pil-bicubic.ts';
export { resampleCols, resampleRows } from './separable-f32.ts';
export { bicubicAxis, bilinearAaAxis, bilinearAxis, nearestIndex, torchScale } from './torch-axes.ts';
export { torchBicubic, torchBilinear, torchNearest } from './torch-resize.ts';
export type { BilinearOptions } from './torch-resize.ts';
