// The generated stand-ins load in onnxruntime-node, carry exactly the public signatures, and
// compute the documented analytic functions.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PALETTE } from './dinov2.ts';
import { generateStandins, type StandinPaths } from './generate.ts';
import { IOU_LOGIT, LOGIT_SLOPE, MASK_TOKENS, OBJECT_SCORE, RING_WIDTH, WINDOW_FALLOFF, noMemEmbed } from './sam2.ts';
import { renderScene, type Scene } from './scene.ts';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1 };

let dir: string;
let paths: StandinPaths;
let variants: StandinPaths;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-standin-'));
  paths = await generateStandins(join(dir, 'default'), { dinoFixedSize: 224 });
  variants = await generateStandins(join(dir, 'variants'), { maskTokens: 4, pointBatch: 1, dinoDim: 384, externalData: false });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Raw bytes of a tensor (vitest's deep equality is too slow for MBs of floats). */
function bytes(t: ort.Tensor): Buffer {
  const d = t.data as Float32Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

function signature(s: ort.InferenceSession) {
  const sig = (m: readonly ort.InferenceSession.ValueMetadata[]) => m.map((v) => [v.name, v.isTensor ? v.type : '?', v.isTensor ? v.shape : []]);
  return { inputs: sig(s.inputMetadata), outputs: sig(s.outputMetadata) };
}

/** ImageNet-normalised CHW float of an RGB scene. */
function normalise(scene: Scene): Float32Array {
  const n = scene.width * scene.height;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = (scene.data[i * 3 + c] / 255 - MEAN[c]) / STD[c];
  return out;
}

/** Mean normalised colour of the 4×4 block of 256-grid cell (cx, cy) in a 1024² image. */
function cellColour(px: Float32Array, cx: number, cy: number): number[] {
  return [0, 1, 2].map((c) => {
    let s = 0;
    for (let y = cy * 4; y < cy * 4 + 4; y++) for (let x = cx * 4; x < cx * 4 + 4; x++) s += px[c * 1024 * 1024 + y * 1024 + x];
    return s / 16;
  });
}

/** The stand-in decoder's logit for a one-point prompt at (sx, sy), token k, cell (cx, cy). */
function expectedLogit(px: Float32Array, sx: number, sy: number, k: number, cx: number, cy: number): number {
  const gx = (sx + 0.5) / 4;
  const gy = (sy + 0.5) / 4;
  const seed = cellColour(px, Math.floor(gx), Math.floor(gy));
  const here = cellColour(px, cx, cy);
  const d = Math.hypot(...here.map((v, c) => v - seed[c]));
  const r = Math.hypot(cx + 0.5 - gx, cy + 0.5 - gy);
  const t = MASK_TOKENS[k];
  return LOGIT_SLOPE * (t.tolerance - d) - WINDOW_FALLOFF * Math.max(0, r - t.radius);
}

/** The stand-in IoU head: σ(base − leak·w − (1 − interior)·w + bias) for token k's mask in `logits`. */
function expectedIou(px: Float32Array, logits: Float32Array, offset: number, sx: number, sy: number, k: number): number {
  const gx = (sx + 0.5) / 4;
  const gy = (sy + 0.5) / 4;
  const seed = cellColour(px, Math.floor(gx), Math.floor(gy));
  const t = MASK_TOKENS[k];
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < 256 && y < 256 && logits[offset + y * 256 + x] > 0;
  let ring = 0;
  let leaked = 0;
  let area = 0;
  let interior = 0;
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const r = Math.hypot(x + 0.5 - gx, y + 0.5 - gy);
      if (r > t.radius - RING_WIDTH && r <= t.radius) {
        ring += 1;
        const here = cellColour(px, x, y);
        if (Math.hypot(...here.map((v, c) => v - seed[c])) < t.tolerance) leaked += 1;
      }
      if (on(x, y)) {
        area += 1;
        if (on(x - 1, y) && on(x + 1, y) && on(x, y - 1) && on(x, y + 1)) interior += 1;
      }
    }
  }
  const z = IOU_LOGIT.base - IOU_LOGIT.leak * (leaked / Math.max(ring, 1)) - IOU_LOGIT.compact * (1 - interior / Math.max(area, 1)) + t.bias;
  return 1 / (1 + Math.exp(-z));
}

const RED = [220, 30, 30] as const;
const BLUE = [30, 40, 210] as const;
const GREY = [128, 128, 128] as const;
const scene = renderScene(1024, 1024, GREY, [
  { kind: 'disc', color: RED, cx: 256, cy: 256, r: 60 },
  { kind: 'rect', color: BLUE, x0: 600, y0: 152, x1: 760, y1: 300 },
  { kind: 'disc', color: RED, cx: 700, cy: 760, r: 72 },
]);

/** 256-grid mask of an object: cells whose 4×4 block is mostly inside. */
function gridMask(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(256 * 256);
  for (let cy = 0; cy < 256; cy++) {
    for (let cx = 0; cx < 256; cx++) {
      let s = 0;
      for (let y = cy * 4; y < cy * 4 + 4; y++) for (let x = cx * 4; x < cx * 4 + 4; x++) s += mask[y * 1024 + x];
      out[cy * 256 + cx] = s >= 8 ? 1 : 0;
    }
  }
  return out;
}

function maskIou(logits: Float32Array, offset: number, gt: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < 256 * 256; i++) {
    const a = logits[offset + i] > 0 ? 1 : 0;
    inter += a & gt[i];
    union += a | gt[i];
  }
  return inter / union;
}

describe('stand-in signatures', () => {
  it('format A encoder and decoder have the onnx-community names, dtypes and shapes', async () => {
    const enc = await ort.InferenceSession.create(paths.sam2A.encoder, opts);
    expect(signature(enc)).toEqual({
      inputs: [['pixel_values', 'float32', ['batch_size', 3, 1024, 1024]]],
      outputs: [
        ['image_embeddings.0', 'float32', ['batch_size', 32, 256, 256]],
        ['image_embeddings.1', 'float32', ['batch_size', 64, 128, 128]],
        ['image_embeddings.2', 'float32', ['batch_size', 256, 64, 64]],
      ],
    });
    const dec = await ort.InferenceSession.create(paths.sam2A.decoder, opts);
    expect(signature(dec)).toEqual({
      inputs: [
        ['input_points', 'float32', ['batch_size', 'point_batch_size', 'num_points', 2]],
        ['input_labels', 'int64', ['batch_size', 'point_batch_size', 'num_points']],
        ['input_boxes', 'float32', ['batch_size', 'num_boxes', 4]],
        ['image_embeddings.0', 'float32', ['batch_size', 32, 256, 256]],
        ['image_embeddings.1', 'float32', ['batch_size', 64, 128, 128]],
        ['image_embeddings.2', 'float32', ['batch_size', 256, 64, 64]],
      ],
      outputs: [
        ['iou_scores', 'float32', ['batch_size', 'point_batch_size', 3]],
        ['pred_masks', 'float32', ['batch_size', 'point_batch_size', 3, 256, 256]],
        ['object_score_logits', 'float32', ['batch_size', 'point_batch_size', 1]],
      ],
    });
  });

  it('format B encoder and decoder have the samexporter names, dtypes and shapes', async () => {
    const enc = await ort.InferenceSession.create(paths.sam2B.encoder, opts);
    expect(signature(enc)).toEqual({
      inputs: [['image', 'float32', [1, 3, 1024, 1024]]],
      outputs: [
        ['high_res_feats_0', 'float32', [1, 32, 256, 256]],
        ['high_res_feats_1', 'float32', [1, 64, 128, 128]],
        ['image_embed', 'float32', [1, 256, 64, 64]],
      ],
    });
    const dec = await ort.InferenceSession.create(paths.sam2B.decoder, opts);
    expect(signature(dec)).toEqual({
      inputs: [
        ['image_embed', 'float32', [1, 256, 64, 64]],
        ['high_res_feats_0', 'float32', [1, 32, 256, 256]],
        ['high_res_feats_1', 'float32', [1, 64, 128, 128]],
        ['point_coords', 'float32', ['num_labels', 'num_points', 2]],
        ['point_labels', 'float32', ['num_labels', 'num_points']],
        ['mask_input', 'float32', ['num_labels', 1, 256, 256]],
        ['has_mask_input', 'float32', ['num_labels']],
      ],
      outputs: [
        ['masks', 'float32', ['num_labels', 3, 256, 256]],
        ['iou_predictions', 'float32', ['num_labels', 3]],
      ],
    });
  });

  it('DINOv2 stand-ins have the onnx-community signature; the fixed-size one declares its token count', async () => {
    for (const p of [paths.dino, paths.dinoRegisters]) {
      expect(signature(await ort.InferenceSession.create(p, opts))).toEqual({
        inputs: [['pixel_values', 'float32', ['batch_size', 3, 'height', 'width']]],
        outputs: [
          ['last_hidden_state', 'float32', ['batch_size', 'sequence_length', 32]],
          ['pooler_output', 'float32', ['batch_size', 32]],
        ],
      });
    }
    expect(signature(await ort.InferenceSession.create(paths.dinoFixed!, opts))).toEqual({
      inputs: [['pixel_values', 'float32', ['batch_size', 3, 224, 224]]],
      outputs: [
        ['last_hidden_state', 'float32', ['batch_size', 1 + 256, 32]],
        ['pooler_output', 'float32', ['batch_size', 32]],
      ],
    });
  });

  it('variants: four mask tokens, a fixed prompt axis of 1, D = 384', async () => {
    const dec = await ort.InferenceSession.create(variants.sam2A.decoder, opts);
    expect(signature(dec).outputs.slice(0, 2)).toEqual([
      ['iou_scores', 'float32', ['batch_size', 1, 4]],
      ['pred_masks', 'float32', ['batch_size', 1, 4, 256, 256]],
    ]);
    expect(signature(dec).inputs[0]).toEqual(['input_points', 'float32', ['batch_size', 1, 'num_points', 2]]);
    const decB = await ort.InferenceSession.create(variants.sam2B.decoder, opts);
    expect(signature(decB).outputs[0]).toEqual(['masks', 'float32', ['num_labels', 4, 256, 256]]);
    const dino = await ort.InferenceSession.create(variants.dinoRegisters, opts);
    expect(signature(dino).outputs[1]).toEqual(['pooler_output', 'float32', ['batch_size', 384]]);
  });
});

describe('stand-in SAM2 outputs', () => {
  const px = normalise(scene);
  let embA: Record<string, ort.Tensor>;
  let decA: ort.InferenceSession;
  let decB: ort.InferenceSession;
  let embB: Record<string, ort.Tensor>;

  beforeAll(async () => {
    const encA = await ort.InferenceSession.create(paths.sam2A.encoder, opts);
    embA = await encA.run({ pixel_values: new ort.Tensor('float32', px, [1, 3, 1024, 1024]) });
    const encB = await ort.InferenceSession.create(paths.sam2B.encoder, opts);
    embB = await encB.run({ image: new ort.Tensor('float32', px, [1, 3, 1024, 1024]) });
    decA = await ort.InferenceSession.create(paths.sam2A.decoder, opts);
    decB = await ort.InferenceSession.create(paths.sam2B.decoder, opts);
  });

  it('encoder levels are pooled colour; level 2 has no_mem_embed added; both layouts agree', () => {
    const l0 = embA['image_embeddings.0'].data as Float32Array;
    const l2 = embA['image_embeddings.2'].data as Float32Array;
    const mem = noMemEmbed();
    for (const [cx, cy] of [[64, 64], [170, 57], [10, 200]]) {
      const colour = cellColour(px, cx, cy);
      for (let c = 0; c < 3; c++) expect(l0[c * 65536 + cy * 256 + cx]).toBeCloseTo(colour[c], 5);
    }
    // Level 2, channel c < 3 at cell (x, y): 16×16 mean + no_mem_embed[c].
    for (const [x, y] of [[16, 16], [40, 12]]) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let yy = y * 16; yy < y * 16 + 16; yy++) for (let xx = x * 16; xx < x * 16 + 16; xx++) s += px[c * 1024 * 1024 + yy * 1024 + xx];
        expect(l2[c * 4096 + y * 64 + x]).toBeCloseTo(s / 256 + mem[c], 5);
      }
    }
    expect(Buffer.compare(bytes(embB.image_embed), bytes(embA['image_embeddings.2']))).toBe(0);
    expect(Buffer.compare(bytes(embB.high_res_feats_0), bytes(embA['image_embeddings.0']))).toBe(0);
  });

  async function runA(points: number[][], labels: number[][], boxes: number[] = []) {
    const P = points.length;
    const N = points[0].length / 2;
    return decA.run({
      input_points: new ort.Tensor('float32', Float32Array.from(points.flat()), [1, P, N, 2]),
      input_labels: new ort.Tensor('int64', BigInt64Array.from(labels.flat().map(BigInt)), [1, P, N]),
      input_boxes: new ort.Tensor('float32', Float32Array.from(boxes), [1, boxes.length / 4, 4]),
      'image_embeddings.0': embA['image_embeddings.0'],
      'image_embeddings.1': embA['image_embeddings.1'],
      'image_embeddings.2': embA['image_embeddings.2'],
    });
  }

  async function runB(points: number[][], labels: number[][], prior?: { value: number }) {
    const P = points.length;
    const N = points[0].length / 2;
    return decB.run({
      image_embed: embB.image_embed,
      high_res_feats_0: embB.high_res_feats_0,
      high_res_feats_1: embB.high_res_feats_1,
      point_coords: new ort.Tensor('float32', Float32Array.from(points.flat()), [P, N, 2]),
      point_labels: new ort.Tensor('float32', Float32Array.from(labels.flat()), [P, N]),
      mask_input: new ort.Tensor('float32', new Float32Array(P * 65536).fill(prior?.value ?? 0), [P, 1, 256, 256]),
      has_mask_input: new ort.Tensor('float32', Float32Array.of(prior ? 1 : 0), [1]),
    });
  }

  it('logits are the documented colour/window function of the prompt point', async () => {
    const out = await runA([[300, 230, 0, 0]], [[1, -1]]);
    const logits = out.pred_masks.data as Float32Array;
    for (let k = 0; k < 3; k++) {
      for (const [cx, cy] of [[75, 57], [64, 64], [80, 80], [150, 60], [30, 100]]) {
        expect(logits[k * 65536 + cy * 256 + cx]).toBeCloseTo(expectedLogit(px, 300, 230, k + 1, cx, cy), 3);
      }
    }
    expect(Array.from(out.object_score_logits.data as Float32Array)).toEqual([OBJECT_SCORE]);
  });

  it('a point on a separated object gives its mask with a high IoU; background points score low', async () => {
    const gtDisc = gridMask(scene.masks[0]);
    const gtRect = gridMask(scene.masks[1]);
    const out = await runA(
      [
        [256, 256, 0, 0],
        [680, 226, 0, 0],
        [512, 520, 0, 0],
        [40, 980, 0, 0],
      ],
      Array.from({ length: 4 }, () => [1, -1]),
    );
    const iou = out.iou_scores.data as Float32Array;
    const logits = out.pred_masks.data as Float32Array;
    const best = (p: number) => [0, 1, 2].reduce((b, k) => (iou[p * 3 + k] > iou[p * 3 + b] ? k : b), 0);
    expect(best(0)).toBe(1); // the disc (r = 15 cells) leaks into token 1's ring (R = 16), fits token 2
    expect(iou[0 * 3 + 1]).toBeGreaterThan(0.9);
    expect(maskIou(logits, (0 * 3 + best(0)) * 65536, gtDisc)).toBeGreaterThan(0.9);
    expect(iou[1 * 3 + best(1)]).toBeGreaterThan(0.9);
    expect(maskIou(logits, (1 * 3 + best(1)) * 65536, gtRect)).toBeGreaterThan(0.9);
    for (const p of [2, 3]) for (let k = 0; k < 3; k++) expect(iou[p * 3 + k]).toBeLessThan(0.05);
    // The IoU head recomputed from its definition, for an object point and a background point.
    for (const [p, [sx, sy]] of [[0, [256, 256]], [2, [512, 520]]] as const) {
      for (let k = 0; k < 3; k++) expect(iou[p * 3 + k]).toBeCloseTo(expectedIou(px, logits, (p * 3 + k) * 65536, sx, sy, k + 1), 4);
    }
  });

  it('a box prompt segments the object at its centre (A: input_boxes; B: corner points 2, 3)', async () => {
    const gtRect = gridMask(scene.masks[1]);
    const a = await runA([[]], [[]], [600, 152, 760, 300]);
    const b = await runB([[600, 152, 760, 300]], [[2, 3]]);
    expect(Array.from(b.iou_predictions.data as Float32Array)).toEqual(Array.from(a.iou_scores.data as Float32Array));
    const iou = a.iou_scores.data as Float32Array;
    const k = iou[1] >= iou[2] ? 1 : 2;
    expect(maskIou(a.pred_masks.data as Float32Array, k * 65536, gtRect)).toBeGreaterThan(0.9);
  });

  it('format B appends the padding point itself and matches format A given it explicitly', async () => {
    const points = [[256, 256], [700, 760], [512, 520]];
    const a = await runA(points.map((p) => [...p, 0, 0]), points.map(() => [1, -1]));
    const b = await runB(points, points.map(() => [1]));
    expect(Array.from(b.iou_predictions.data as Float32Array)).toEqual(Array.from(a.iou_scores.data as Float32Array));
    const la = a.pred_masks.data as Float32Array;
    const lb = b.masks.data as Float32Array;
    for (let i = 0; i < la.length; i += 997) expect(lb[i]).toBe(Math.max(-32, Math.min(32, la[i])));
  });

  it('format B adds mask_input when has_mask_input is 1 and clamps to ±32', async () => {
    const plain = (await runB([[256, 256]], [[1]])).masks.data as Float32Array;
    const prior = (await runB([[256, 256]], [[1]], { value: 3 })).masks.data as Float32Array;
    const inside = 64 * 256 + 64;
    expect(prior[inside]).toBeCloseTo(plain[inside] + 3, 4);
    expect(plain.reduce((m, v) => Math.min(m, v), Infinity)).toBe(-32);
  });
});

describe('stand-in DINOv2 outputs', () => {
  const scene518 = renderScene(518, 518, GREY, [
    { kind: 'rect', color: RED, x0: 14, y0: 14, x1: 84, y1: 84 },
    { kind: 'rect', color: RED, x0: 392, y0: 420, x1: 476, y1: 490 },
    { kind: 'rect', color: [40, 200, 60], x0: 280, y0: 28, x1: 378, y1: 126 },
    { kind: 'rect', color: PALETTE[5], x0: 28, y0: 350, x1: 126, y1: 448 },
  ]);
  const px = normalise(scene518);
  const cos = (a: Float32Array, b: Float32Array) => {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  };

  for (const registers of [0, 4]) {
    it(`tokens: CLS, ${registers} registers, 37×37 patches coding colour (${registers ? 'with' : 'without'} registers)`, async () => {
      const s = await ort.InferenceSession.create(registers ? paths.dinoRegisters : paths.dino, opts);
      const out = await s.run({ pixel_values: new ort.Tensor('float32', px, [1, 3, 518, 518]) });
      expect(out.last_hidden_state.dims).toEqual([1, 1 + registers + 37 * 37, 32]);
      const h = out.last_hidden_state.data as Float32Array;
      const D = 32;
      const patch = (r: number, c: number) => h.subarray((1 + registers + r * 37 + c) * D, (2 + registers + r * 37 + c) * D);
      const cls = h.subarray(0, D);
      expect(Array.from(out.pooler_output.data as Float32Array)).toEqual(Array.from(cls));
      const mean = new Float32Array(D);
      for (let p = 0; p < 37 * 37; p++) for (let d = 0; d < D; d++) mean[d] += h[(1 + registers + p) * D + d] / (37 * 37);
      for (let d = 0; d < D; d++) expect(cls[d]).toBeCloseTo(mean[d], 5);
      const redA = patch(2, 2);
      const redB = patch(31, 29);
      expect(cos(redA, redB)).toBeGreaterThan(0.99);
      expect(cos(redA, patch(4, 22))).toBeLessThan(0.1); // green
      expect(cos(redA, patch(28, 4))).toBeLessThan(0.1); // blue
      expect(cos(redA, patch(18, 18))).toBeLessThan(0.1); // grey background
      expect(cos(patch(18, 18), patch(36, 0))).toBeGreaterThan(0.99);
    });
  }
});
