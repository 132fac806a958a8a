// Golden runner for bank/ (FORMAT.md §3.5): reference crop, soft weights, instance means and
// prototypes of the official memory fill, and the bicubic crop image fed to DINOv2.
import { expect } from 'vitest';
import {
  cropImage518,
  cropMask,
  instanceMean,
  PATCH_GRID,
  prototypes,
  REFERENCE_SIZE,
  referenceCrop,
  softWeights37,
} from '../../shared/bank/index.ts';
import { annToMask, annToRle, encodeMask } from '../../shared/coco-mask/index.ts';
import type { CocoBox } from '../../shared/types.ts';
import type { GoldenCase, NdArray } from './fixtures.ts';
import { describeGolden, expectClose } from './fixtures.ts';

/**
 * The cases state tolerances in prose ("soft mask and weights abs 1e-5; ..."); read the number
 * after the given label, or the README's figure for that quantity when a case says nothing.
 */
function tolerance(c: GoldenCase, label: string, readmeDefault: number): number {
  if (typeof c.tolerance === 'number') return c.tolerance;
  if (typeof c.tolerance !== 'string') return readmeDefault;
  const m = new RegExp(`${label}\\s*abs\\s+([0-9.]+(?:e-?[0-9]+)?)`, 'i').exec(c.tolerance);
  return m ? Number(m[1]) : readmeDefault;
}

function checkShape(a: NdArray, shape: number[], what: string): void {
  expect(a.shape, `${what} shape`).toEqual(shape);
}

interface BoxInt {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  box_w?: number;
  box_h?: number;
}

function checkGeometry(bbox: CocoBox, w: number, h: number, contextRatio: number, e: { box_int: BoxInt; crop_xyxy: number[] }) {
  const g = referenceCrop(bbox, w, h, contextRatio);
  const [x1, y1, x2, y2] = g.box_int;
  // Some cases also give box_w/box_h, some only the corners.
  expect(Object.keys(e.box_int), 'box_int').toEqual(expect.arrayContaining(['x1', 'y1', 'x2', 'y2']));
  expect({ x1, y1, x2, y2, box_w: x2 - x1, box_h: y2 - y1 }, 'box_int').toMatchObject(e.box_int);
  expect(g.crop, 'crop_xyxy').toEqual(e.crop_xyxy);
  return g;
}

function runReferences(c: GoldenCase): void {
  const { D, context_ratio: contextRatio, n_classes: nClasses } = c.input;
  expect(c.input.crop_resize).toBe(REFERENCE_SIZE);
  expect(c.input.patch_grid).toBe(PATCH_GRID);
  const softTol = tolerance(c, 'soft mask and weights', 1e-5);
  const meanTol = tolerance(c, 'instance means / prototypes', 1e-5);
  const refs = c.input.references as any[];
  expect(c.expected.references).toHaveLength(refs.length);

  const means: (Float64Array | null)[][] = Array.from({ length: nClasses }, () => []);
  refs.forEach((r, i) => {
    const e = c.expected.references[i];
    const what = `reference ${i} (class ${r.class_index}, shot ${r.shot}, ${r.kind})`;
    expect([e.class_index, e.shot], what).toEqual([r.class_index, r.shot]);
    const { image_h: h, image_w: w } = r;

    const rle = annToRle(r.annotation.segmentation, h, w);
    expect(rle, `${what} mask_rle`).toEqual(e.mask_rle);
    const mask = annToMask(r.annotation.segmentation, h, w);
    expect(mask.reduce((s: number, v: number) => s + v, 0), `${what} mask_area`).toBe(e.mask_area);

    const g = checkGeometry(r.annotation.bbox, w, h, contextRatio, e);
    expect(g.mid, `${what} mid_xy`).toEqual(e.mid_xy);
    expect(g.size, `${what} crop_size`).toBe(e.crop_size);
    const [cx1, cy1, cx2, cy2] = g.crop;
    expect([cy2 - cy1, cx2 - cx1], `${what} crop_hw`).toEqual(e.crop_hw);
    expect(encodeMask(cropMask(mask, h, w, g.crop), cy2 - cy1, cx2 - cx1), `${what} crop_mask_rle`).toEqual(e.crop_mask_rle);

    const soft = softWeights37(mask, h, w, g.crop);
    checkShape(e.soft_mask_518, [REFERENCE_SIZE, REFERENCE_SIZE], `${what} soft_mask_518`);
    expectClose(soft.soft518, e.soft_mask_518.data, softTol, `${what} soft_mask_518`);
    checkShape(e.weights_37, [PATCH_GRID, PATCH_GRID], `${what} weights_37`);
    expectClose(soft.weights37, e.weights_37.data, softTol, `${what} weights_37`);
    expectClose([soft.sum], [e.weights_sum], softTol, `${what} weights_sum`);

    checkShape(r.features, [PATCH_GRID, PATCH_GRID, D], `${what} features`);
    const mean = instanceMean(r.features.data, soft.weights37, D);
    if (e.instance_mean_is_nan) {
      expect(e.instance_mean, `${what} instance_mean`).toBeNull();
      expect(mean, `${what}: an all-zero-weight reference must be refused (null)`).toBeNull();
      expect(soft.sum).toBe(0);
    } else {
      expect(mean, `${what} instance_mean`).not.toBeNull();
      checkShape(e.instance_mean, [D], `${what} instance_mean`);
      expectClose(mean!, e.instance_mean.data, meanTol, `${what} instance_mean`);
    }
    means[r.class_index][r.shot] = mean;
  });

  // The official code lets a NaN instance mean poison its class; refseg refuses the reference, so
  // those classes are exactly the ones with a refused shot, and the others must match.
  const refused = means.flatMap((shots, k) => (shots.some((m) => m === null) ? [k] : []));
  expect(refused, 'nan_classes').toEqual(c.expected.nan_classes);
  const protoU = c.expected.prototypes_unnormalized as NdArray;
  const protoN = c.expected.prototypes_normalized as NdArray;
  checkShape(protoU, [nClasses, D], 'prototypes_unnormalized');
  checkShape(protoN, [nClasses, D], 'prototypes_normalized');
  const valid = means.map((_, k) => k).filter((k) => !refused.includes(k));
  const p = prototypes(valid.map((k) => means[k].map((m) => m!)));
  for (let k = 0; k < nClasses; k++) {
    const row = (a: NdArray) => a.data.subarray(k * D, (k + 1) * D);
    if (refused.includes(k)) {
      expect(Array.from(row(protoU)).every(Number.isNaN), `official prototype of class ${k} is NaN`).toBe(true);
      expect(Array.from(row(protoN)).every(Number.isNaN), `official normalized prototype of class ${k} is NaN`).toBe(true);
      continue;
    }
    const v = valid.indexOf(k);
    expect(means[k].filter((m) => m !== undefined), `class ${k} shots`).toHaveLength(c.input.shots);
    expectClose(p.unnormalized[v], row(protoU), meanTol, `prototypes_unnormalized[${k}]`);
    expectClose(p.normalized[v], row(protoN), meanTol, `prototypes_normalized[${k}]`);
  }
}

function runCropImage(c: GoldenCase): void {
  const image = c.input.image_chw_u8 as NdArray;
  const { image_h: h, image_w: w } = c.input;
  checkShape(image, [3, h, w], 'image_chw_u8');
  const hwc = new Uint8Array(h * w * 3);
  for (let ch = 0; ch < 3; ch++) {
    for (let p = 0; p < h * w; p++) hwc[p * 3 + ch] = image.data[ch * h * w + p];
  }
  const g = checkGeometry(c.input.annotation.bbox, w, h, c.input.context_ratio, c.expected);
  const expected = c.expected.crop_518_chw_f32 as NdArray;
  checkShape(expected, [3, REFERENCE_SIZE, REFERENCE_SIZE], 'crop_518_chw_f32');
  expectClose(cropImage518(hwc, w, h, g.crop), expected.data, tolerance(c, '', 1e-4), 'crop_518_chw_f32');
}

describeGolden('bank', (c) => {
  if (c.kind === 'crop_image_bicubic') runCropImage(c);
  else if (Array.isArray(c.input.references)) runReferences(c);
  else throw new Error(`unknown bank case kind ${JSON.stringify(c.kind)}`);
});
