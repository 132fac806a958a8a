// Golden runner for rle/ (FORMAT.md §3.1): pycocotools' mask API. Counts strings are compared
// byte for byte, masks, areas and boxes exactly. IoUs: the cases state no tolerance; FORMAT.md §2
// allows exact-or-1e-12 for float64 bookkeeping, and 1e-12 is what is used here.
import { expect } from 'vitest';
import {
  annToMask,
  annToRle,
  bboxIou,
  decodeRle,
  encodeMask,
  frBbox,
  frPoly,
  frUncompressed,
  mergeRles,
  rleArea,
  rleIou,
  rleToBbox,
  rleToUncompressed,
} from '../../shared/coco-mask/index.ts';
import type { CocoBox, Rle } from '../../shared/types.ts';
import { describeGolden, expectClose } from './fixtures.ts';
import type { GoldenCase, NdArray } from './fixtures.ts';

const IOU_TOL = 1e-12;

interface Measured {
  rle: Rle;
  area: number;
  bbox: number[];
}

function maskOf(a: NdArray, h: number, w: number): Uint8Array {
  expect(a.dtype).toBe('uint8');
  expect(a.shape).toEqual([h, w]);
  return a.data as Uint8Array;
}

function countsOf(v: number[] | NdArray): number[] {
  return Array.isArray(v) ? v : Array.from(v.data);
}

function expectSameMask(actual: Uint8Array, expected: Uint8Array, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const first = actual.findIndex((v, i) => v !== expected[i]);
  expect(first, `${what}: first differing pixel (row-major index)`).toBe(-1);
}

/** The RLE equals the expected one byte for byte, and its area and toBbox are the expected ones. */
function expectMeasured(rle: Rle, e: Measured, what: string): void {
  expect(rle.size, `${what}: size`).toEqual(e.rle.size);
  expect(rle.counts, `${what}: counts string`).toBe(e.rle.counts);
  expect(rleArea(rle), `${what}: area`).toBe(e.area);
  expect(rleToBbox(rle), `${what}: bbox`).toEqual(e.bbox);
}

function expectMatrix(actual: number[][], expected: number[][], shape: number[], what: string): void {
  const [m, n] = shape;
  if (m === 0 || n === 0) {
    expect(actual, what).toEqual([]);
    return;
  }
  expect(actual.length, `${what}: rows`).toBe(m);
  expect(expected.length, `${what}: expected rows`).toBe(m);
  actual.forEach((row, i) => {
    expect(row.length, `${what}[${i}]: columns`).toBe(n);
    expectClose(row, expected[i], IOU_TOL, `${what}[${i}]`);
  });
}

const ops: Record<string, (c: GoldenCase) => void> = {
  encode(c) {
    const { h, w } = c.input;
    const mask = maskOf(c.input.mask, h, w);
    const rle = encodeMask(mask, h, w);
    expectMeasured(rle, { rle: c.expected.rle, area: c.expected.area, bbox: c.expected.bbox }, 'encode');
    expect(rleToUncompressed(rle)).toEqual(countsOf(c.expected.counts_uncompressed));
    expectSameMask(decodeRle(c.expected.rle), mask, 'decode(expected.rle)');
  },

  decode(c) {
    const rle: Rle = c.input.rle;
    const [h, w] = rle.size;
    expectSameMask(decodeRle(rle), maskOf(c.expected.mask, h, w), 'decode');
    expect(rleArea(rle)).toBe(c.expected.area);
    expect(rleToBbox(rle)).toEqual(c.expected.bbox);
    expect(rleToUncompressed(rle)).toEqual(countsOf(c.expected.counts_uncompressed));
  },

  frUncompressed(c) {
    const { h, w, counts } = c.input;
    const rle = frUncompressed(counts, h, w);
    expectMeasured(rle, { rle: c.expected.rle, area: c.expected.area, bbox: c.expected.bbox }, 'frUncompressed');
    expectSameMask(decodeRle(rle), maskOf(c.expected.mask, h, w), 'decode');
    // COCO.annToRLE takes the same path for an uncompressed segmentation.
    expect(annToRle({ size: [h, w], counts }, h, w)).toEqual(rle);
  },

  merge(c) {
    const rles: Rle[] = c.input.rles;
    expectMeasured(mergeRles(rles, false), c.expected.union, 'union');
    expectMeasured(mergeRles(rles, true), c.expected.intersect, 'intersect');
  },

  iou_rle(c) {
    const iou = rleIou(c.input.dt, c.input.gt, c.input.iscrowd);
    expectMatrix(iou, c.expected.iou, c.expected.shape, 'iou');
  },

  iou_bbox(c) {
    const iou = bboxIou(c.input.dt as CocoBox[], c.input.gt as CocoBox[], c.input.iscrowd);
    expectMatrix(iou, c.expected.iou, c.expected.shape, 'iou');
  },

  frPoly(c) {
    const { h, w } = c.input;
    const polygons: number[][] = c.input.polygons;
    const parts = polygons.map((p) => frPoly(p, h, w));
    expect(parts.length).toBe(c.expected.parts.length);
    parts.forEach((rle, i) => expectMeasured(rle, c.expected.parts[i], `part ${i}`));
    const merged = annToRle(polygons, h, w);
    expectMeasured(merged, c.expected.merged, 'merged');
    expectSameMask(annToMask(polygons, h, w), maskOf(c.expected.merged.mask, h, w), 'merged mask');
  },

  frBbox(c) {
    const { h, w } = c.input;
    const boxes: CocoBox[] = c.input.boxes;
    expect(boxes.length).toBe(c.expected.rles.length);
    boxes.forEach((box, i) => expectMeasured(frBbox(box, h, w), c.expected.rles[i], `box ${i}`));
  },
};

describeGolden('rle', (c) => {
  const run = ops[c.op as string];
  if (run === undefined) throw new Error(`rle case with unknown op ${JSON.stringify(c.op)}`);
  run(c);
});
