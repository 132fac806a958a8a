// The decoder's image-only work run once per call (gpu-node/models/decoder-image-once.ts) on the
// real samexporter SAM2.1-tiny decoder, weights refilled: the sites found by structure, the
// per-prompt work gone (FLOPs of the nodes as they run), and the same outputs as the graph as
// exported through refseg's own runner. Cost: a few decoder runs of at most 3 prompts.
import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unclipMaskLogits } from '../../gpu-node/models/decoder-clip.ts';
import { imageOnceDecoder } from '../../gpu-node/models/decoder-image-once.ts';
import { Sam2Runner } from '../../gpu-node/models/sam2-runner.ts';
import { levelTensors } from '../../gpu-node/models/sam2-layout.ts';
import { sam2DecoderB } from '../../gpu-node/standin/sam2.ts';
import { countFlops, perPrompt } from '../bench/graph-flops.ts';
import { filledModelDir } from './fill.ts';
import { decode } from './surgery.ts';

const THREADS = 2;
let dir: string;
let decoder: Uint8Array;

/** Deterministic level values of a plausible range. */
function level(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7311 + seed) * 2 + ((i * 7919 + seed) % 101) / 500);
}

const LEVELS = [level(32 * 256 * 256, 1), level(64 * 128 * 128, 2), level(256 * 64 * 64, 3)] as const;

function feeds(prompts: number): Record<string, ort.Tensor> {
  return {
    image_embed: new ort.Tensor('float32', LEVELS[2], [1, 256, 64, 64]),
    high_res_feats_0: new ort.Tensor('float32', LEVELS[0], [1, 32, 256, 256]),
    high_res_feats_1: new ort.Tensor('float32', LEVELS[1], [1, 64, 128, 128]),
    point_coords: new ort.Tensor('float32', Float32Array.from({ length: prompts * 2 }, (_, i) => (i * 389 + 17) % 1024), [prompts, 1, 2]),
    point_labels: new ort.Tensor('float32', new Float32Array(prompts).fill(1), [prompts, 1]),
    mask_input: new ort.Tensor('float32', new Float32Array(prompts * 256 * 256), [prompts, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', new Float32Array(1), [1]),
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'refseg-image-once-'));
  filledModelDir(join(dir, 'sam2'));
  decoder = readFileSync(join(dir, 'sam2', 'decoder.onnx'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the decoder image-once patch on the real samexporter graph', () => {
  it('finds src, the PE repeat and the batch size by structure, and drops the mask branch', () => {
    const patched = imageOnceDecoder(decoder)!;
    expect(patched.site).toEqual({ srcAdd: '/Add_11', noMaskEmbed: 'onnx::Mul_1824', peExpand: '/Expand_11', batchShapes: ['/Shape_23'] });
    const before = decode(decoder).graph!;
    const after = decode(patched.model).graph!;
    const named = (g: typeof before, prefix: string) => (g.node ?? []).filter((n) => (n.name ?? '').startsWith(prefix)).length;
    expect(named(before, '/mask_downscaling')).toBeGreaterThan(0);
    expect(named(after, '/mask_downscaling')).toBe(0);
    expect((after.initializer ?? []).some((t) => (t.name ?? '').startsWith('prompt_encoder.mask_downscaling'))).toBe(false);
    // Inputs stay declared: the runner's feeds are the same for both graphs.
    expect((after.input ?? []).map((i) => i.name)).toEqual((before.input ?? []).map((i) => i.name));
  });

  it('leaves a graph without that structure alone (the layout-B stand-in decoder)', () => {
    expect(imageOnceDecoder(sam2DecoderB().model)).toBeUndefined();
  });

  it('runs layer 0\'s image projections and the zero-mask convolutions once per call, not per prompt', async () => {
    const group = ({ name }: { name: string }) =>
      /^\/transformer\/layers\.0\/cross_attn_token_to_image\/[kv]_proj\//.test(name) || /^\/transformer\/layers\.0\/cross_attn_image_to_token\/q_proj\//.test(name)
        ? 'layer-0 image projections'
        : name.startsWith('/mask_downscaling')
          ? 'mask downscaling'
          : 'rest';
    const count = async (model: Uint8Array) => new Map(perPrompt(await countFlops(model, feeds(1), group), await countFlops(model, feeds(2), group)).map((r) => [r.group, r]));
    const before = await count(decoder);
    const after = await count(imageOnceDecoder(decoder)!.model);
    // Three 4096×256 → 128 MatMuls (cross-attention halves the width) + bias Adds per prompt
    // before; once per call after.
    const projections = 3 * 2 * 4096 * 256 * 128;
    expect(before.get('layer-0 image projections')!.perPrompt).toBeGreaterThanOrEqual(projections);
    expect(after.get('layer-0 image projections')!.perPrompt).toBe(0);
    expect(after.get('layer-0 image projections')!.perCall).toBeGreaterThanOrEqual(projections);
    expect(before.get('mask downscaling')!.perPrompt).toBeGreaterThan(0);
    expect(after.get('mask downscaling')).toBeUndefined();
    // Everything else costs the same per prompt or less (the src broadcast Add is gone too).
    expect(after.get('rest')!.perPrompt).toBeLessThanOrEqual(before.get('rest')!.perPrompt);
  });

  it('gives the outputs of the graph as exported within 1e-4, through the runner, for 1 and 3 prompts', async () => {
    const files = { encoder: join(dir, 'sam2', 'encoder.onnx'), decoder: join(dir, 'sam2', 'decoder.onnx') };
    const settings = { provider: 'cpu' as const, intraOpThreads: THREADS, interOpThreads: 1 };
    const options = { removeNoMemEmbed: true, maxPromptBatch: 64, removeMaskClip: true, decoderBestMask: true };
    const on = await Sam2Runner.open(files, settings, { ...options, decoderImageOnce: true });
    const off = await Sam2Runner.open(files, settings, { ...options, decoderImageOnce: false });
    expect(on.info.imageOnce).toBe('applied');
    expect(off.info.imageOnce).toBe('off');
    const levels = levelTensors([LEVELS[0], LEVELS[1], LEVELS[2]]);
    for (const points of [[300, 420], [100, 200, 700, 300, 512, 900]]) {
      const xy = Float32Array.from(points);
      const labels = new Int32Array(points.length / 2).fill(1);
      const a = await off.decodePoints(levels, xy, labels);
      const b = await on.decodePoints(levels, xy, labels);
      expect(b.logits.length).toBe(a.logits.length);
      let worst = 0;
      let spread = 0;
      for (let i = 0; i < a.logits.length; i++) {
        worst = Math.max(worst, Math.abs(a.logits[i] - b.logits[i]));
        spread = Math.max(spread, Math.abs(a.logits[i]));
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
      expect(spread).toBeGreaterThan(1e-2); // the logits are not all ~0, so the bound says something
      for (let k = 0; k < a.iou.length; k++) expect(Math.abs(a.iou[k] - b.iou[k])).toBeLessThanOrEqual(1e-4);
    }
  });

  it('keeps the mask-clip removal when both patches apply', () => {
    const unclipped = unclipMaskLogits(decoder, 'decoder.onnx').model!;
    const both = decode(imageOnceDecoder(unclipped)!.model).graph!;
    expect((both.node ?? []).some((n) => n.opType === 'Clip')).toBe(false);
    expect((decode(decoder).graph!.node ?? []).some((n) => n.opType === 'Clip')).toBe(true);
  });
});
