// The input of a pipeline case (fixtures FORMAT.md §3.4) as segmentOfficial takes it.
import type { OfficialInput } from '../../shared/matching/index.ts';
import type { GoldenCase, NdArray } from './fixtures.ts';

export function officialInput(c: GoldenCase): OfficialInput {
  const lr = c.input.lr_logits_x16 as NdArray;
  const q = c.input.q as NdArray;
  const f = c.input.features as NdArray;
  const p = c.input.prototypes as NdArray;
  const [classes, dim] = p.shape;
  return {
    lowResLogits: lr.data as Int8Array,
    iou: q.data,
    features: { data: f.data as Float32Array, rows: f.shape[0], cols: f.shape[1], dim: f.shape[2] },
    prototypes: Array.from({ length: classes }, (_, k) => (p.data as Float32Array).subarray(k * dim, (k + 1) * dim)),
    height: c.input.ori_h,
    width: c.input.ori_w,
  };
}
