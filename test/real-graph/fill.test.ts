import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fillWeightless, type FillReport, WEIGHTLESS_DIR } from './fill.ts';

const { onnx } = onnxProto;

describe('weightless real SAM2 graphs', () => {
  it('fills exactly the marked initializers, deterministically', () => {
    const enc = readFileSync(join(WEIGHTLESS_DIR, 'encoder.onnx'));
    const dec = readFileSync(join(WEIGHTLESS_DIR, 'decoder.onnx'));
    const er: FillReport = { filled: 0, values: 0 };
    const dr: FillReport = { filled: 0, values: 0 };
    const a = fillWeightless(enc, er);
    fillWeightless(dec, dr);
    // Counts from the fixture README: 60 encoder tensors (27.2 M values), 49 decoder (4.0 M).
    expect(er.filled).toBe(60);
    expect(Math.round(er.values / 1e5) / 10).toBe(27.2);
    expect(dr.filled).toBe(49);
    expect(Math.round(dr.values / 1e5) / 10).toBe(4.0);
    expect(Buffer.from(fillWeightless(enc)).equals(Buffer.from(a))).toBe(true);
    const g = onnx.ModelProto.decode(a).graph!;
    expect(g.initializer!.filter((t) => (t.docString ?? '').startsWith('refseg-fill')).length).toBe(0);
    expect(g.node!.find((n) => n.name === '/Add')?.opType).toBe('Add');
  });

  it('the filled decoder runs a batch of 2 prompts with has_mask_input [1] and gives finite outputs', async () => {
    const session = await ort.InferenceSession.create(fillWeightless(readFileSync(join(WEIGHTLESS_DIR, 'decoder.onnx'))));
    const L = 2;
    const f32 = (dims: number[], fill = 0) => new ort.Tensor('float32', new Float32Array(dims.reduce((x, y) => x * y, 1)).fill(fill), dims);
    const out = await session.run({
      image_embed: f32([1, 256, 64, 64], 0.01),
      high_res_feats_0: f32([1, 32, 256, 256], 0.01),
      high_res_feats_1: f32([1, 64, 128, 128], 0.01),
      point_coords: new ort.Tensor('float32', new Float32Array([100, 200, 700, 300]), [L, 1, 2]),
      point_labels: new ort.Tensor('float32', new Float32Array([1, 1]), [L, 1]),
      mask_input: f32([L, 1, 256, 256]),
      has_mask_input: f32([1]),
    });
    expect(out.masks.dims).toEqual([L, 3, 256, 256]);
    expect(out.iou_predictions.dims).toEqual([L, 3]);
    expect((out.masks.data as Float32Array).every(Number.isFinite)).toBe(true);
    await session.release();
  });
});
