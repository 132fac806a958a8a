// Image bytes → decode → official preprocessing → SAM2 proposals and DINOv2 features, on the
// stand-in models: a synthetic scene with separated objects has known right answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModels, type Models } from '../models/index.ts';
import { decodeImage, targetInputs } from '../preprocess/index.ts';
import { generateStandins } from './generate.ts';
import { renderScene } from './scene.ts';

const W = 800;
const H = 600;
const RED = [220, 30, 30] as const;
const scene = renderScene(W, H, [128, 128, 128], [
  { kind: 'disc', color: RED, cx: 200, cy: 150, r: 60 },
  { kind: 'disc', color: RED, cx: 600, cy: 430, r: 55 },
  { kind: 'rect', color: [30, 40, 210], x0: 480, y0: 80, x1: 640, y1: 200 },
  { kind: 'disc', color: [40, 190, 60], cx: 180, cy: 450, r: 70 },
]);
const GRID = 12;

let dir: string;
let models: Models;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refseg-e2e-'));
  const paths = await generateStandins(dir);
  models = await openModels({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dinoRegisters, threads: { intraOp: 1 }, maxPromptBatch: 48 });
});

afterAll(async () => {
  await models?.close();
  await rm(dir, { recursive: true, force: true });
});

/** An object's mask on the 256 grid of the stretched image (nearest sample at cell centres). */
function gridMask(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array(256 * 256);
  for (let cy = 0; cy < 256; cy++) {
    for (let cx = 0; cx < 256; cx++) {
      const x = Math.floor(((cx + 0.5) * W) / 256);
      const y = Math.floor(((cy + 0.5) * H) / 256);
      out[cy * 256 + cx] = mask[y * W + x];
    }
  }
  return out;
}

/** Patches of the 37×37 grid lying wholly inside an object. */
function patchesInside(mask: Uint8Array): number[] {
  const out: number[] = [];
  const inside = (x: number, y: number) => mask[Math.min(H - 1, Math.floor(y)) * W + Math.min(W - 1, Math.floor(x))] === 1;
  for (let r = 0; r < 37; r++) {
    for (let c = 0; c < 37; c++) {
      const [x0, x1, y0, y1] = [(c * W) / 37, ((c + 1) * W) / 37 - 0.01, (r * H) / 37, ((r + 1) * H) / 37 - 0.01];
      if (inside(x0, y0) && inside(x1, y0) && inside(x0, y1) && inside(x1, y1)) out.push(r * 37 + c);
    }
  }
  return out;
}

describe('stand-in pipeline on a synthetic scene', () => {
  it('proposals above the official IoU threshold are exactly the objects', async () => {
    const img = await decodeImage(await sharp(scene.data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    const inputs = targetInputs(img);
    const emb = await models.sam2.encode(inputs.sam);
    // The official grid: linspace(0, 1023, n) + 0.5 (the graph adds SAM's own +0.5).
    const lin = Array.from({ length: GRID }, (_, i) => (1023 * i) / (GRID - 1) + 0.5);
    const points = lin.flatMap((x) => lin.flatMap((y) => [x, y]));
    const d = await models.sam2.decodePoints(emb, points);
    const K = d.maskTokens;
    const truth = scene.masks.map(gridMask);
    const found = new Set<number>();
    let kept = 0;
    for (let p = 0; p < d.count; p++) {
      let k = 0;
      for (let j = 1; j < K; j++) if (d.iou[p * K + j] > d.iou[p * K + k]) k = j;
      if (!(d.iou[p * K + k] > 0.4)) continue;
      kept += 1;
      const logits = d.logits.subarray((p * K + k) * 65536, (p * K + k + 1) * 65536);
      const overlaps = truth.map((gt) => {
        let inter = 0;
        let union = 0;
        for (let i = 0; i < 65536; i++) {
          const m = logits[i] > 0 ? 1 : 0;
          inter += m & gt[i];
          union += m | gt[i];
        }
        return inter / union;
      });
      const bestObject = overlaps.indexOf(Math.max(...overlaps));
      expect(overlaps[bestObject], `proposal from point ${points[p * 2]}, ${points[p * 2 + 1]}`).toBeGreaterThan(0.85);
      found.add(bestObject);
    }
    expect(kept).toBeGreaterThanOrEqual(4);
    expect([...found].sort()).toEqual([0, 1, 2, 3]);
  });

  it('DINOv2 features: the two red objects match each other, not the blue or green ones', async () => {
    const img = await decodeImage(await sharp(scene.data, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 92 }).toBuffer());
    const feats = await models.dino.patchFeatures(targetInputs(img).dino);
    const D = models.info.dino.dim;
    const means = scene.masks.map((mask) => {
      const patches = patchesInside(mask);
      expect(patches.length).toBeGreaterThan(4);
      const m = new Float64Array(D);
      for (const p of patches) for (let j = 0; j < D; j++) m[j] += feats[p * D + j] / patches.length;
      return m;
    });
    const cos = (a: Float64Array, b: Float64Array) => {
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let j = 0; j < D; j++) {
        ab += a[j] * b[j];
        aa += a[j] * a[j];
        bb += b[j] * b[j];
      }
      return ab / Math.sqrt(aa * bb);
    };
    expect(cos(means[0], means[1])).toBeGreaterThan(0.95);
    for (const other of [2, 3]) for (const red of [0, 1]) expect(cos(means[red], means[other])).toBeLessThan(0.3);
  });
});
