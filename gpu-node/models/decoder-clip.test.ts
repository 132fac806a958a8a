// The mask-logit Clip removal on the weightless real samexporter decoder (test/fixtures/models/),
// on hand-made graphs for the other ways a Clip can be written, and on both stand-in layouts.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillWeightless, WEIGHTLESS_DIR } from '../../test/real-graph/fill.ts';
import { generateStandins, type StandinPaths } from '../standin/generate.ts';
import { FLOAT, GraphBuilder } from '../standin/onnx-graph.ts';
import { decoderSource, locateMaskClip, unclipMaskLogits } from './decoder-clip.ts';

const { onnx } = onnxProto;

let dir: string;
let standins: StandinPaths;
let realDecoder: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-clip-'));
  standins = await generateStandins(dir);
  realDecoder = fillWeightless(await readFile(join(WEIGHTLESS_DIR, 'decoder.onnx')));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const graphOf = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!;

/**
 * One point prompt. The finest feature level is added after the decoder's last LayerNorm, so a
 * ramp of ±`level` across it spreads the random-weight logits over a wide range.
 */
async function runDecoder(model: Uint8Array, level: number): Promise<{ masks: Float32Array; iou: Float32Array }> {
  const session = await ort.InferenceSession.create(model);
  try {
    const f32 = (dims: number[], fill = 0) => new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill), dims);
    const ramp = Float32Array.from({ length: 32 * 256 * 256 }, (_, i) => level * (((i % 256) / 255) * 2 - 1));
    const out = await session.run({
      image_embed: f32([1, 256, 64, 64], 1),
      high_res_feats_0: new ort.Tensor('float32', ramp, [1, 32, 256, 256]),
      high_res_feats_1: f32([1, 64, 128, 128], 1),
      point_coords: new ort.Tensor('float32', Float32Array.of(300, 400), [1, 1, 2]),
      point_labels: new ort.Tensor('float32', Float32Array.of(1), [1, 1]),
      mask_input: f32([1, 1, 256, 256]),
      has_mask_input: f32([1]),
    });
    return { masks: out.masks.data as Float32Array, iou: out.iou_predictions.data as Float32Array };
  } finally {
    await session.release();
  }
}

describe('the real samexporter decoder (weightless SAM2.1-tiny graph)', () => {
  it('ends in Clip(−32, 32) on the masks output, with its bounds in Constant nodes', () => {
    expect(locateMaskClip(graphOf(realDecoder))).toEqual({ node: '/Clip', output: 'masks', min: -32, max: 32 });
  });

  it('the patched graph has an Identity instead, and loses only the Clip bounds', () => {
    const before = graphOf(realDecoder);
    const patched = unclipMaskLogits(realDecoder, 'decoder.onnx');
    expect(patched.site?.node).toBe('/Clip');
    expect(patched.externalFiles).toEqual([]);
    const after = graphOf(patched.model!);
    expect(after.node!.filter((n) => n.opType === 'Clip')).toEqual([]);
    const identity = after.node!.find((n) => n.name === '/Clip')!;
    expect(identity.opType).toBe('Identity');
    expect(identity.input).toEqual(['/Slice_3_output_0']);
    expect(identity.output).toEqual(['masks']);
    expect(after.node!.length).toBe(before.node!.length - 2);
    expect(after.initializer!.length).toBe(before.initializer!.length);
    expect(locateMaskClip(after)).toBeUndefined();
  });

  it('unclamped, the logits leave ±32; clamping them again gives the original outputs exactly', async () => {
    const patched = unclipMaskLogits(realDecoder, 'decoder.onnx').model!;
    const [clipped, raw] = await Promise.all([runDecoder(realDecoder, 40), runDecoder(patched, 40)]);
    expect(Array.from(raw.iou)).toEqual(Array.from(clipped.iou));
    let outside = 0;
    let mismatched = 0;
    for (let i = 0; i < raw.masks.length; i++) {
      if (Math.abs(raw.masks[i]) > 32) outside++;
      if (Math.max(-32, Math.min(32, raw.masks[i])) !== clipped.masks[i]) mismatched++;
    }
    expect(mismatched).toBe(0);
    // Both sides of the clamp are exercised.
    expect(outside).toBeGreaterThan(raw.masks.length / 10);
    expect(outside).toBeLessThan(raw.masks.length * 0.9);
  });

  it('decoderSource patches it by default and leaves the file alone when asked to keep the clamp', async () => {
    const { filledModelDir } = await import('../../test/real-graph/fill.ts');
    const path = join(filledModelDir(join(dir, 'real')), 'decoder.onnx');
    const removed = await decoderSource(path, true);
    expect(removed.maskClip).toBe('removed');
    expect(removed.site?.node).toBe('/Clip');
    expect(removed.source.model).toBeInstanceOf(Uint8Array);
    const kept = await decoderSource(path, false);
    expect(kept).toEqual({ source: { model: path }, maskClip: 'kept', site: removed.site });
  });
});

describe('openModels on the real samexporter decoder', () => {
  it('opens it without its clamp by default, with it when asked, and says which', async () => {
    const { openModels } = await import('./index.ts');
    const { filledModelDir } = await import('../../test/real-graph/fill.ts');
    // The real decoder behind the samexporter stand-in encoder (same layout), which loads fast.
    const sam2Paths = { encoder: standins.sam2B.encoder, decoder: join(filledModelDir(join(dir, 'real-open')), 'decoder.onnx') };
    const level = (n: number, v: number) => new Float32Array(n).fill(v);
    const ramp = Float32Array.from({ length: 32 * 256 * 256 }, (_, i) => 40 * (((i % 256) / 255) * 2 - 1));
    const emb = { key: 'ramp', levels: [ramp, level(64 * 128 * 128, 1), level(256 * 64 * 64, 1)] as const };
    const removed = await openModels({ sam2Paths, dinoPath: standins.dino, threads: { intraOp: 1 } });
    const kept = await openModels({ sam2Paths, dinoPath: standins.dino, threads: { intraOp: 1 }, removeMaskClip: false });
    try {
      expect(removed.info.sam2).toMatchObject({ layout: 'samexporter', maskClip: 'removed', maskClipNode: '/Clip', noMemEmbed: 'removed' });
      expect(kept.info.sam2).toMatchObject({ maskClip: 'kept', maskClipNode: '/Clip' });
      const [r, k] = await Promise.all([removed.sam2.decodePoints(emb, [300, 400]), kept.sam2.decodePoints(emb, [300, 400])]);
      expect(Array.from(r.iou)).toEqual(Array.from(k.iou));
      const largest = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(largest(k.logits)).toBe(32);
      expect(largest(r.logits)).toBeGreaterThan(32);
      expect(r.logits.every((v, i) => Math.max(-32, Math.min(32, v)) === k.logits[i])).toBe(true);
    } finally {
      await Promise.all([removed.close(), kept.close()]);
    }
  });
});

describe('other graphs', () => {
  it('onnx-community (stand-in) has no clamp: nothing to remove, nothing to keep', async () => {
    expect(await decoderSource(standins.sam2A.decoder, true)).toEqual({ source: { model: standins.sam2A.decoder }, maskClip: 'none' });
    expect(await decoderSource(standins.sam2A.decoder, false)).toEqual({ source: { model: standins.sam2A.decoder }, maskClip: 'none' });
  });

  it('the samexporter stand-in clamps like the real export, and loses it the same way', async () => {
    const source = await decoderSource(standins.sam2B.decoder, true);
    expect(source.maskClip).toBe('removed');
    expect(source.site).toMatchObject({ output: 'masks', min: -32, max: 32 });
  });

  it('finds a Clip behind layout ops, with initializer bounds; ignores one on another output', () => {
    const b = new GraphBuilder('clip-initializers');
    const x = b.input('x', FLOAT, [1, 3, 4, 4]);
    const clipped = b.op('Clip', [x, b.floats([-8], []), b.floats([8], [])]);
    b.output('pred_masks', b.reshape(clipped, [1, 1, 3, 4, 4]), FLOAT, [1, 1, 3, 4, 4]);
    b.output('iou_scores', b.op('Clip', [b.reduceMean(x, [2, 3], 0), b.scalar(0), b.scalar(1)]), FLOAT, [1, 3]);
    const bytes = b.encode().model;
    expect(locateMaskClip(graphOf(bytes))).toMatchObject({ output: 'pred_masks', min: -8, max: 8 });
    const after = graphOf(unclipMaskLogits(bytes, 'tiny').model!);
    // The iou Clip stays; the dead bound initializers go.
    expect(after.node!.filter((n) => n.opType === 'Clip').length).toBe(1);
    expect(after.initializer!.length).toBe(graphOf(bytes).initializer!.length - 2);
  });

  it('reads opset-6 attribute bounds, and leaves a Clip with computed bounds alone', () => {
    const T = onnx.AttributeProto.AttributeType;
    const valueInfo = (name: string) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 4 }] } } } });
    const opset6 = onnx.ModelProto.encode({
      irVersion: 3,
      opsetImport: [{ domain: '', version: 6 }],
      graph: {
        name: 'old',
        input: [valueInfo('x')],
        output: [valueInfo('masks')],
        node: [
          {
            name: 'c',
            opType: 'Clip',
            input: ['x'],
            output: ['masks'],
            attribute: [
              { name: 'min', type: T.FLOAT, f: -32 },
              { name: 'max', type: T.FLOAT, f: 32 },
            ],
          },
        ],
      },
    }).finish();
    expect(locateMaskClip(graphOf(opset6))).toEqual({ node: 'c', output: 'masks', min: -32, max: 32 });
    expect(graphOf(unclipMaskLogits(opset6, 'old').model!).node![0]).toMatchObject({ opType: 'Identity', input: ['x'], attribute: [] });

    const b = new GraphBuilder('computed');
    const x = b.input('x', FLOAT, [4]);
    b.output('masks', b.op('Clip', [x, b.op('ReduceMin', [x], { keepdims: 0 }), b.scalar(32)]), FLOAT, [4]);
    const computed = b.encode().model;
    expect(locateMaskClip(graphOf(computed))).toBeUndefined();
    expect(unclipMaskLogits(computed, 'computed').model).toBeUndefined();
  });

  it('a patched graph with external data loads with that data passed in memory', async () => {
    const b = new GraphBuilder('external');
    const x = b.input('x', FLOAT, [64]);
    const scaled = b.op('Mul', [x, b.floats(new Float32Array(64).fill(100), [64])]);
    b.output('masks', b.op('Clip', [scaled, b.scalar(-32), b.scalar(32)]), FLOAT, [64]);
    const encoded = b.encode({ externalDataFile: 'decoder.onnx_data', externalMinBytes: 256 });
    const folder = join(dir, 'external');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'decoder.onnx'), encoded.model);
    await writeFile(join(folder, 'decoder.onnx_data'), encoded.externalData!);
    const source = await decoderSource(join(folder, 'decoder.onnx'), true);
    expect(source.maskClip).toBe('removed');
    expect(source.source.externalData?.map((e) => [e.path, e.data.length])).toEqual([['decoder.onnx_data', 256]]);
    const session = await ort.InferenceSession.create(source.source.model as Uint8Array, { externalData: source.source.externalData });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from({ length: 64 }, (_, i) => i - 32), [64]) });
    expect((out.masks.data as Float32Array)[0]).toBe(-3200);
    expect((out.masks.data as Float32Array)[63]).toBe(3100);
    await session.release();
  });
});
