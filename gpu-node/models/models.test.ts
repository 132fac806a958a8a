// openModels end to end on the stand-in models, through the worker threads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../../shared/errors.ts';
import { generateStandins, type StandinPaths } from '../standin/generate.ts';
import { noMemEmbed } from '../standin/sam2.ts';
import { renderScene } from '../standin/scene.ts';
import { targetInputs } from '../preprocess/tensors.ts';
import { ModelFormatError, ModelsBusyError, ModelsClosedError, openModels, type Decoded, type Models } from './index.ts';

let dir: string;
let paths: StandinPaths;
let variants: StandinPaths;
const threads = { intraOp: 1 };

const scene = renderScene(1024, 1024, [128, 128, 128], [
  { kind: 'disc', color: [220, 30, 30], cx: 256, cy: 256, r: 60 },
  { kind: 'rect', color: [30, 40, 210], x0: 600, y0: 152, x1: 760, y1: 300 },
]);
const inputs = targetInputs(scene);
/** On the disc, on the rectangle, on the background. */
const POINTS = [256, 256, 680, 226, 512, 700];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-models-'));
  paths = await generateStandins(join(dir, 'default'), { dinoFixedSize: 224 });
  variants = await generateStandins(join(dir, 'variants'), { maskTokens: 4, pointBatch: 1, dinoFixedSize: 518 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function best(d: Decoded, p: number): number {
  let k = 0;
  for (let j = 1; j < d.maskTokens; j++) if (d.iou[p * d.maskTokens + j] > d.iou[p * d.maskTokens + k]) k = j;
  return k;
}

/** samexporter graphs clamp logits to ±32 (unless the clamp is removed); onnx-community ones do not. */
function clamped(d: Decoded): Float32Array {
  return d.logits.map((v) => Math.max(-32, Math.min(32, v)));
}

/** Index of the first differing element, −1 when identical (vitest's deep equality is too slow for MBs). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('openModels on both SAM2 layouts', () => {
  const opened: Record<string, Models> = {};

  beforeAll(async () => {
    opened.A = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads });
    opened.B = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dinoRegisters, threads });
  });

  afterAll(async () => {
    await Promise.all(Object.values(opened).map((m) => m.close()));
  });

  it('reports what it detected', () => {
    expect(opened.A.info.sam2).toMatchObject({
      layout: 'onnx-community',
      promptAxis: 'dynamic',
      maskTokens: 3,
      graphPadsPrompt: false,
      noMemEmbed: 'removed',
      maskClip: 'none',
      provider: 'cpu',
    });
    expect(opened.B.info.sam2).toMatchObject({ layout: 'samexporter', graphPadsPrompt: true, noMemEmbed: 'removed', maskClip: 'removed', imageOnce: 'none' });
    expect(opened.A.info.dino).toMatchObject({ dim: 32, registers: 0, inputSize: 'dynamic' });
    expect(opened.B.info.dino).toMatchObject({ dim: 32, registers: 4 });
    expect(opened.A.info).toMatchObject({ provider: 'cpu', workers: 1, threads: { intraOp: 1, interOp: 0 } });
  });

  it('the same prompts give the same masks on both layouts, and the right ones', async () => {
    const [embA, embB] = await Promise.all([opened.A.sam2.encode(inputs.sam), opened.B.sam2.encode(inputs.sam)]);
    expect(embA.levels.map((l) => l.length)).toEqual([32 * 256 * 256, 64 * 128 * 128, 256 * 64 * 64]);
    const [a, b] = await Promise.all([opened.A.sam2.decodePoints(embA, POINTS), opened.B.sam2.decodePoints(embB, POINTS)]);
    expect(a.count).toBe(3);
    expect(a.maskTokens).toBe(3);
    expect(Array.from(b.iou)).toEqual(Array.from(a.iou));
    // The samexporter stand-in's Clip(−32, 32) was removed, so its logits equal the unclamped ones.
    expect(firstDifference(b.logits, a.logits)).toBe(-1);
    // Disc and rectangle points: a confident mask over the object; background point: all low.
    const objectCell = [64 * 256 + 64, 56 * 256 + 170];
    for (const p of [0, 1]) {
      expect(a.iou[p * 3 + best(a, p)]).toBeGreaterThan(0.9);
      expect(a.logits[(p * 3 + best(a, p)) * 65536 + objectCell[p]]).toBeGreaterThan(0);
      expect(a.logits[(p * 3 + best(a, p)) * 65536 + objectCell[1 - p]]).toBeLessThan(0);
    }
    for (let k = 0; k < 3; k++) expect(a.iou[2 * 3 + k]).toBeLessThan(0.4);
  });

  it('batches of any size give what one-by-one decoding gives', async () => {
    const many = Array.from({ length: 70 }, (_, i) => [100 + 12 * i, 90 + 11 * i]).flat();
    const emb = await opened.A.sam2.encode(inputs.sam);
    const all = await opened.A.sam2.decodePoints(emb, many);
    expect(all.count).toBe(70);
    for (const i of [0, 63, 64, 69]) {
      const one = await opened.A.sam2.decodePoints(emb, many.slice(i * 2, i * 2 + 2));
      expect(Array.from(all.iou.subarray(i * 3, i * 3 + 3))).toEqual(Array.from(one.iou));
      expect(firstDifference(all.logits.subarray(i * 3 * 65536, (i + 1) * 3 * 65536), one.logits)).toBe(-1);
    }
  });

  it('box prompts segment the boxed object on both layouts', async () => {
    const box = [600, 152, 760, 300];
    const [embA, embB] = await Promise.all([opened.A.sam2.encode(inputs.sam), opened.B.sam2.encode(inputs.sam)]);
    const [a, b] = await Promise.all([opened.A.sam2.decodeBox(embA, box), opened.B.sam2.decodeBox(embB, box)]);
    expect(Array.from(b.iou)).toEqual(Array.from(a.iou));
    expect(a.logits[best(a, 0) * 65536 + 56 * 256 + 170]).toBeGreaterThan(0);
    const two = await opened.A.sam2.decodeBox(embA, [...box, 200, 200, 312, 312]);
    expect(two.count).toBe(2);
    expect(Array.from(two.iou.subarray(0, 3))).toEqual(Array.from(a.iou));
  });

  it('a prompt of several points is one prompt, the same on both layouts; one point equals decodePoints', async () => {
    const [embA, embB] = await Promise.all([opened.A.sam2.encode(inputs.sam), opened.B.sam2.encode(inputs.sam)]);
    const [single, viaPoints] = await Promise.all([opened.A.sam2.decodePrompt(embA, [680, 226], [1]), opened.A.sam2.decodePoints(embA, [680, 226])]);
    expect(Array.from(single.iou)).toEqual(Array.from(viaPoints.iou));
    expect(firstDifference(single.logits, viaPoints.logits)).toBe(-1);
    // Two clicks on the rectangle and a negative one on the disc: one prompt, the rectangle.
    const points = [640, 190, 720, 260, 256, 256];
    const labels = [1, 1, 0];
    const [a, b] = await Promise.all([opened.A.sam2.decodePrompt(embA, points, labels), opened.B.sam2.decodePrompt(embB, points, labels)]);
    expect(a.count).toBe(1);
    expect(Array.from(b.iou)).toEqual(Array.from(a.iou));
    expect(firstDifference(b.logits, a.logits)).toBe(-1);
    expect(a.logits[best(a, 0) * 65536 + 56 * 256 + 170]).toBeGreaterThan(0);
    expect(a.logits[best(a, 0) * 65536 + 64 * 256 + 64]).toBeLessThan(0);
    await expect(opened.A.sam2.decodePrompt(embA, [1, 2, 3], [1, 1])).rejects.toThrow(/2 coordinates per label/);
  });

  it('knows the stand-ins for what they are', () => {
    expect(opened.A.info.standin).toBe(true);
    expect(opened.B.info.standin).toBe(true);
  });

  it('DINOv2 patch features skip CLS and the detected registers', async () => {
    const [plain, withRegisters] = await Promise.all([opened.A.dino.patchFeatures(inputs.dino), opened.B.dino.patchFeatures(inputs.dino)]);
    expect(plain.length).toBe(37 * 37 * 32);
    // The two stand-ins share their patch-token function; only the prefix tokens differ.
    expect(firstDifference(withRegisters, plain)).toBe(-1);
  });
});

describe('openModels options', () => {
  it('removeNoMemEmbed: false keeps the vector the export adds', async () => {
    const kept = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dino, threads, removeNoMemEmbed: false });
    const removed = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dino, threads });
    try {
      expect(kept.info.sam2.noMemEmbed).toBe('kept');
      const [k, r] = await Promise.all([kept.sam2.encode(inputs.sam), removed.sam2.encode(inputs.sam)]);
      const mem = noMemEmbed();
      for (const i of [0, 4095, 100 * 4096 + 7, 255 * 4096 + 4095]) expect(k.levels[2][i]).toBe(Math.fround(r.levels[2][i] + mem[Math.floor(i / 4096)]));
      expect(firstDifference(k.levels[0], r.levels[0])).toBe(-1);
    } finally {
      await Promise.all([kept.close(), removed.close()]);
    }
  });

  it('removeMaskClip: false keeps the clamp samexporter puts on the mask logits', async () => {
    const kept = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dino, threads, removeMaskClip: false });
    const plain = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads, removeMaskClip: false });
    try {
      expect(kept.info.sam2).toMatchObject({ maskClip: 'kept', maskClipNode: expect.any(String) });
      // Nothing to keep or remove in the onnx-community layout.
      expect(plain.info.sam2.maskClip).toBe('none');
      const [ek, ep] = await Promise.all([kept.sam2.encode(inputs.sam), plain.sam2.encode(inputs.sam)]);
      const [k, p] = await Promise.all([kept.sam2.decodePoints(ek, POINTS), plain.sam2.decodePoints(ep, POINTS)]);
      expect(firstDifference(k.logits, clamped(p))).toBe(-1);
      // The stand-in's logits do leave ±32, so the clamp is visible.
      expect(firstDifference(clamped(p), p.logits)).toBeGreaterThanOrEqual(0);
    } finally {
      await Promise.all([kept.close(), plain.close()]);
    }
  });

  it('a fixed prompt axis of 1 runs prompts one by one; four mask tokens come through', async () => {
    const fixed = await openModels({ sam2Dir: variants.sam2A.dir, dinoPath: variants.dinoFixed!, threads });
    const dynamic = await openModels({ sam2Dir: variants.sam2B.dir, dinoPath: variants.dino, threads });
    try {
      expect(fixed.info.sam2.promptAxis).toBe(1);
      expect(fixed.info.sam2.maskTokens).toBe(4);
      expect(fixed.info.dino.inputSize).toBe(518);
      const [ef, ed] = await Promise.all([fixed.sam2.encode(inputs.sam), dynamic.sam2.encode(inputs.sam)]);
      const [f, d] = await Promise.all([fixed.sam2.decodePoints(ef, POINTS), dynamic.sam2.decodePoints(ed, POINTS)]);
      expect(f.maskTokens).toBe(4);
      expect(Array.from(f.iou)).toEqual(Array.from(d.iou));
      expect(firstDifference(d.logits, f.logits)).toBe(-1);
    } finally {
      await Promise.all([fixed.close(), dynamic.close()]);
    }
  });

  it('refuses a DINOv2 export of another fixed size, naming it', async () => {
    const open = openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dinoFixed!, threads });
    await expect(open).rejects.toBeInstanceOf(ModelFormatError);
    await expect(openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dinoFixed!, threads })).rejects.toThrow(/fixed 224×224 input.*518×518/);
  });

  it('refuses an encoder and decoder of different layouts, naming what it expected', async () => {
    const open = openModels({ sam2Paths: { encoder: paths.sam2A.encoder, decoder: paths.sam2B.decoder }, dinoPath: paths.dino, threads });
    await expect(open).rejects.toThrow(/not a supported SAM2 export.*expected onnx-community.*or samexporter/);
  });

  it('cuda without its libraries falls back to CPU with one log line', async () => {
    const lines: string[] = [];
    const m = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dino, threads, provider: 'cuda', log: (l) => lines.push(l) });
    try {
      expect(m.info.provider).toBe('cpu');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^refseg: CUDA execution provider unavailable \(.+\); running the models on CPU\.$/);
      expect((await m.dino.patchFeatures(inputs.dino)).length).toBe(37 * 37 * 32);
    } finally {
      await m.close();
    }
  });
});

describe('worker pool', () => {
  it('keeps the main thread responsive while a model runs', async () => {
    const m = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads });
    try {
      const emb = await m.sam2.encode(inputs.sam);
      let last = performance.now();
      let worstGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        worstGap = Math.max(worstGap, now - last);
        last = now;
      }, 5);
      const started = performance.now();
      // Decode until the workers have run for 250 ms at least, so that a blocked main thread would
      // show as one gap of that size however fast this machine is.
      let runs = 0;
      while (performance.now() - started < 250) {
        await m.sam2.decodePoints(emb, Array.from({ length: 48 }, (_, i) => [50 + 20 * i, 40 + 19 * i]).flat());
        runs++;
      }
      const took = performance.now() - started;
      clearInterval(timer);
      expect(runs).toBeGreaterThan(0);
      expect(worstGap).toBeLessThan(took / 3);
    } finally {
      await m.close();
    }
  });

  it('refuses work beyond one running and maxQueue waiting with a 503 + Retry-After', async () => {
    const m = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads, workers: 1, maxQueue: 1 });
    try {
      const running = m.dino.patchFeatures(inputs.dino);
      const waiting = m.dino.patchFeatures(inputs.dino);
      expect(m.load()).toEqual({ busy: 1, queued: 1, started: 1, cancelled: 0, restarts: 0 });
      const refused = m.dino.patchFeatures(inputs.dino);
      await expect(refused).rejects.toBeInstanceOf(ModelsBusyError);
      const problem = toProblem(await refused.catch((e: unknown) => e), 'req-1');
      expect(problem.status).toBe(503);
      expect(Number(problem.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect((await running).length).toBe(37 * 37 * 32);
      expect((await waiting).length).toBe(37 * 37 * 32);
      expect(m.load()).toEqual({ busy: 0, queued: 0, started: 2, cancelled: 0, restarts: 0 });
    } finally {
      await m.close();
    }
  });

  it('spreads requests over several workers; closed models refuse work', async () => {
    const m = await openModels({ sam2Dir: paths.sam2B.dir, dinoPath: paths.dino, threads, workers: 2, maxQueue: 0 });
    const a = m.dino.patchFeatures(inputs.dino);
    const b = m.dino.patchFeatures(inputs.dino);
    expect(m.load()).toEqual({ busy: 2, queued: 0, started: 2, cancelled: 0, restarts: 0 });
    expect(firstDifference(await a, await b)).toBe(-1);
    await m.close();
    await expect(m.sam2.encode(inputs.sam)).rejects.toBeInstanceOf(ModelsClosedError);
  });
});
