// The best-of-3 / area / box steps appended to a decoder graph give what the JS path
// (bestMultimask + scanLowResMask) gives: on crafted masks (rectangles, an empty mask, IoU ties)
// through a graph that only passes its inputs on, and on the real samexporter decoder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { compactReader, createFullResRenderer, edgeRadius, createMaskPooler, scanLowResMask } from '../../shared/matching/index.ts';
import { bestMultimask, maskPlane } from '../pipeline/multimask.ts';
import { fillWeightless, WEIGHTLESS_DIR } from '../../test/real-graph/fill.ts';
import { densePlanes } from '../../test/compact-planes.ts';
import { appendBestMask, FEATURES_INPUT, RADIUS_INPUT, THRESHOLD_INPUT } from './decoder-best-mask.ts';

const { onnx } = onnxProto;
const PLANE = 256 * 256;

/** A graph whose outputs `masks` and `iou_predictions` are its inputs, as a decoder's are. */
function passThrough(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT;
  const value = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: F, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const graph = {
    name: 'decoder',
    node: [
      { opType: 'Identity', input: ['masks_in'], output: ['masks'] },
      { opType: 'Identity', input: ['iou_in'], output: ['iou_predictions'] },
    ],
    input: [value('masks_in', ['L', 3, 256, 256]), value('iou_in', ['L', 3])],
    output: [value('masks', ['L', 3, 256, 256]), value('iou_predictions', ['L', 3])],
  };
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }).finish();
}

interface Out {
  logits: Float32Array;
  iou: Float32Array;
  area: Float32Array;
  box: BigInt64Array;
}

async function run(model: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Out> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  try {
    const r = await session.run(feeds);
    return { logits: r.best_logits.data as Float32Array, iou: r.best_iou.data as Float32Array, area: r.best_area.data as Float32Array, box: r.best_box.data as BigInt64Array };
  } finally {
    await session.release();
  }
}

/** Graph outputs against the JS path for prompts 0..n-1 of decoder outputs `logits`, `iou`. */
function expectAsJs(out: Out, logits: Float32Array, iou: Float32Array, n: number): void {
  const decoded = { logits, iou, count: n, maskTokens: 3 };
  for (let p = 0; p < n; p++) {
    const token = bestMultimask(decoded, p);
    const plane = maskPlane(decoded, p, token);
    expect(out.iou[p]).toBe(iou[p * 3 + token]);
    const mine = out.logits.subarray(p * PLANE, (p + 1) * PLANE);
    expect(mine.every((v, i) => v === plane[i])).toBe(true);
    const scan = scanLowResMask(plane, 0);
    expect(out.area[p]).toBe(scan.area);
    expect([...out.box.subarray(p * 4, p * 4 + 4)].map(Number)).toEqual(scan.box);
  }
}

describe('appendBestMask', () => {
  it('picks the best of 3 (first on ties) and gives its area and inclusive box, [0,0,0,0] when empty', async () => {
    const n = 4;
    const logits = new Float32Array(n * 3 * PLANE).fill(-1);
    const rect = (p: number, t: number, x0: number, y0: number, x1: number, y1: number) => {
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) logits[(p * 3 + t) * PLANE + y * 256 + x] = 0.5 + x / 256;
    };
    rect(0, 1, 10, 20, 30, 40);
    rect(0, 2, 0, 0, 255, 255);
    rect(1, 0, 200, 3, 255, 3); // one row touching the right edge
    rect(1, 1, 0, 0, 0, 0);
    rect(3, 2, 7, 250, 7, 255); // one column touching the bottom edge
    rect(3, 2, 100, 100, 101, 101);
    const iou = new Float32Array([
      0.2, 0.9, 0.5, // token 1
      0.7, 0.7, 0.1, // tie: token 0
      0.1, 0.3, 0.2, // token 1, empty mask
      0.1, 0.2, 0.3, // token 2, two parts
    ]);
    const out = await run(appendBestMask(passThrough()), {
      masks_in: new ort.Tensor('float32', logits, [n, 3, 256, 256]),
      iou_in: new ort.Tensor('float32', iou, [n, 3]),
    });
    expectAsJs(out, logits, iou, n);
    expect([...out.box].map(Number)).toEqual([10, 20, 30, 40, 200, 3, 255, 3, 0, 0, 0, 0, 7, 100, 101, 255]);
    expect([...out.area]).toEqual([21 * 21, 56, 0, 6 + 4]);

    // With the official filter (iou > threshold, strictly): prompt 1 (0.7) and 0 (0.9) at 0.3 → not 3 (0.3).
    const feeds = {
      masks_in: new ort.Tensor('float32', logits, [n, 3, 256, 256]),
      iou_in: new ort.Tensor('float32', iou, [n, 3]),
      [THRESHOLD_INPUT]: new ort.Tensor('float32', new Float32Array([Math.fround(0.3)]), []),
    };
    const session = await ort.InferenceSession.create(appendBestMask(passThrough(), { filter: true }), { intraOpNumThreads: 1 });
    try {
      const r = await session.run(feeds);
      expect([...(r.best_prompt.data as BigInt64Array)].map(Number)).toEqual([0, 1]);
      expect(r.best_logits.dims).toEqual([2, 256, 256]);
      expect([...(r.best_iou.data as Float32Array)]).toEqual([out.iou[0], out.iou[1]]);
      expect([...(r.best_area.data as Float32Array)]).toEqual([...out.area.subarray(0, 2)]);
      expect([...(r.best_box.data as BigInt64Array)]).toEqual([...out.box.subarray(0, 8)]);
      expect((r.best_logits.data as Float32Array).every((v, i) => v === out.logits[i])).toBe(true);
      const none = await session.run({ ...feeds, [THRESHOLD_INPUT]: new ort.Tensor('float32', new Float32Array([0.95]), []) });
      expect(none.best_logits.dims).toEqual([0, 256, 256]);
      expect(none.best_prompt.dims).toEqual([0]);
    } finally {
      await session.release();
    }
  });

  it('on the real samexporter decoder: the outputs of the JS path from the graph\'s own logits', async () => {
    const decoder = fillWeightless(readFileSync(join(WEIGHTLESS_DIR, 'decoder.onnx')));
    const n = 2;
    const level = (count: number, seed: number) => Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.7311 + seed) * 2);
    const feeds = {
      image_embed: new ort.Tensor('float32', level(256 * 4096, 3), [1, 256, 64, 64]),
      high_res_feats_0: new ort.Tensor('float32', level(32 * PLANE, 1), [1, 32, 256, 256]),
      high_res_feats_1: new ort.Tensor('float32', level(64 * 128 * 128, 2), [1, 64, 128, 128]),
      point_coords: new ort.Tensor('float32', new Float32Array([300, 420, 800, 100]), [n, 1, 2]),
      point_labels: new ort.Tensor('float32', new Float32Array(n).fill(1), [n, 1]),
      mask_input: new ort.Tensor('float32', new Float32Array(n * PLANE), [n, 1, 256, 256]),
      has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
    };
    const session = await ort.InferenceSession.create(appendBestMask(decoder, { keepOriginal: true }), { intraOpNumThreads: 2 });
    try {
      const r = await session.run(feeds);
      const out = { logits: r.best_logits.data as Float32Array, iou: r.best_iou.data as Float32Array, area: r.best_area.data as Float32Array, box: r.best_box.data as BigInt64Array };
      expect(r.best_logits.dims).toEqual([n, 256, 256]);
      expectAsJs(out, r.masks.data as Float32Array, r.iou_predictions.data as Float32Array, n);
    } finally {
      await session.release();
    }
  });
});

describe('appendBestMask compact', () => {
  /** Smooth logits with many sign changes: blobs, stripes, a plane of zeros and a full one. */
  function wavy(n: number): Float32Array {
    const logits = new Float32Array(n * 3 * PLANE);
    for (let p = 0; p < n; p++) {
      for (let t = 0; t < 3; t++) {
        const o = (p * 3 + t) * PLANE;
        for (let y = 0; y < 256; y++) {
          for (let x = 0; x < 256; x++) {
            const v = Math.sin(x * (0.05 + 0.02 * p) + t) * Math.cos(y * (0.03 + 0.01 * t) + p) - 0.2 + 0.1 * p;
            logits[o + y * 256 + x] = p === 3 ? 0 : p === 4 ? 5 + v : v * 7;
          }
        }
      }
    }
    return logits;
  }

  it('rebuilds planes whose signs, boxes, areas and full-resolution masks equal the real logits at every image size', async () => {
    const n = 5;
    const logits = wavy(n);
    const features = { data: Float32Array.from({ length: 37 * 37 * 8 }, (_, i) => Math.sin(i * 0.61) + ((i * 31) % 7) / 7), rows: 37, cols: 37, dim: 8 };
    const pooler = createMaskPooler(features);
    const iou = Float32Array.from({ length: n * 3 }, (_, i) => [0.5, 0.8, 0.6, 0.3, 0.9][Math.floor(i / 3)] + (i % 3) * 0.01);
    const session = await ort.InferenceSession.create(appendBestMask(passThrough(), { compact: true }), { intraOpNumThreads: 1 });
    const dense = await ort.InferenceSession.create(appendBestMask(passThrough(), { filter: true }), { intraOpNumThreads: 1 });
    try {
      for (const [height, width] of [[480, 640], [256, 256], [100, 300], [37, 1000], [1, 2]]) {
        const feeds = {
          masks_in: new ort.Tensor('float32', logits, [n, 3, 256, 256]),
          iou_in: new ort.Tensor('float32', iou, [n, 3]),
          [THRESHOLD_INPUT]: new ort.Tensor('float32', new Float32Array([Math.fround(0.4)]), []),
          [RADIUS_INPUT]: new ort.Tensor('int64', BigInt64Array.from(edgeRadius(height, width).map(BigInt)), [2]),
          [FEATURES_INPUT]: new ort.Tensor('float32', features.data, [37 * 37, features.dim]),
        };
        const r = await session.run(feeds);
        const d = await dense.run(feeds);
        const kept = [...(r.best_prompt.data as BigInt64Array)].map(Number);
        expect(kept).toEqual([0, 1, 2, 4]);
        const count = kept.length;
        const compactMasks = { count, sign: r.best_sign.data as Uint8Array, edgeCell: r.edge_cell.data as Int32Array, edgeLogit: r.edge_logit.data as Float32Array };
        const rebuilt = densePlanes(compactMasks);
        const compact = compactReader([compactMasks]);
        const real = d.best_logits.data as Float32Array;
        expect(rebuilt.every((v, i) => v > 0 === real[i] > 0)).toBe(true);
        // Upsampled (the usual case): only the cells along the sign changes (here several contours a plane).
        const edges = (r.edge_cell.data as Int32Array).length;
        expect(edges).toBeGreaterThan(0);
        if (height >= 256 && width >= 256) expect(edges).toBeLessThan(rebuilt.length / 10);
        const renderer = createFullResRenderer(height, width);
        const embedding = r.best_embedding.data as Float32Array;
        expect(r.best_embedding.dims).toEqual([count, 8]);
        for (let k = 0; k < count; k++) {
          // Read from the compact form itself, as extraction does.
          const a = compact.scan(k);
          const b = scanLowResMask(real, k);
          // The pooling as matrix products in float32, against the host's float64 sums.
          const host = pooler.embed(b)!;
          host.forEach((v, j) => expect(Math.abs(embedding[k * 8 + j] - v)).toBeLessThan(2e-6));
          expect(a.box).toEqual(b.box);
          expect(a.area).toBe(b.area);
          expect(a.runs).toEqual(b.runs);
          expect(renderer.render(compact.planeOf(k), a, 0).rle).toEqual(renderer.render(real, b).rle);
        }
      }
      // A batch that keeps no prompt (onnxruntime's batched MatMul refused K = 0 once).
      const none = await session.run({
        masks_in: new ort.Tensor('float32', logits, [n, 3, 256, 256]),
        iou_in: new ort.Tensor('float32', iou, [n, 3]),
        [THRESHOLD_INPUT]: new ort.Tensor('float32', new Float32Array([0.99]), []),
        [RADIUS_INPUT]: new ort.Tensor('int64', new BigInt64Array([1n, 1n]), [2]),
        [FEATURES_INPUT]: new ort.Tensor('float32', features.data, [37 * 37, features.dim]),
      });
      expect(none.best_sign.dims).toEqual([0, 256, 32]);
      expect(none.edge_cell.dims).toEqual([0]);
      expect(none.best_embedding.dims).toEqual([0, 8]);
    } finally {
      await session.release();
      await dense.release();
    }
  });
});
