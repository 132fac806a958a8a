import { describe, expect, it } from 'vitest';
import { batchedNms } from '../../shared/boxes.ts';
import { createFullResMeasurer } from './fullres-stats.ts';
import { amgGrid } from './grid.ts';
import { resolveProposalConfig } from './presets.ts';
import type { AmgConfig, OfficialConfig } from './presets.ts';
import { proposeMasks } from './proposals.ts';
import { FAKE_EMBEDDINGS, scriptedSam2 } from './test-sam2.ts';

const CELLS = 65536;
const size = { width: 320, height: 240 };

function samePlane(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

/** A value that hashes the prompt and token into [0, 1). */
function pseudoIou(p: number, t: number): number {
  return Math.fround(((p * 7919 + t * 104729) % 1000) / 1000);
}

describe('official proposals', () => {
  const config = resolveProposalConfig('official') as OfficialConfig;

  it('decodes the 32² grid in 4 batches of 256 and keeps the best multimask output when its IoU > 0.4', async () => {
    const sam2 = scriptedSam2({ maskTokens: 3, iou: pseudoIou });
    const out = await proposeMasks(sam2, FAKE_EMBEDDINGS, config, size);
    expect(sam2.batches).toEqual([256, 256, 256, 256]);
    const expected: { p: number; t: number; q: number }[] = [];
    for (let p = 0; p < 1024; p++) {
      let t = 0;
      for (let k = 1; k < 3; k++) if (pseudoIou(p, k) > pseudoIou(p, t)) t = k;
      if (pseudoIou(p, t) > Math.fround(0.4)) expected.push({ p, t, q: pseudoIou(p, t) });
    }
    expect(expected.length).toBeGreaterThan(100);
    expect(out.iou.length).toBe(expected.length);
    expect(Array.from(out.iou)).toEqual(expected.map((e) => e.q));
    // The plane is the chosen token's: its cone radius 6.37 + 5t shows in the centre value.
    for (const [i, e] of expected.entries()) {
      const x = 33 * Math.floor(e.p / 32) + 1;
      const y = 33 * (e.p % 32) + 1;
      const cx = Math.min(255, Math.floor(x / 4));
      const cy = Math.min(255, Math.floor(y / 4));
      const v = (out.logits as Float32Array)[i * CELLS + cy * 256 + cx];
      expect(v).toBeCloseTo(6.37 + 5 * e.t - Math.hypot(cx + 0.5 - x / 4, cy + 0.5 - y / 4), 4);
    }
  });

  it('never picks token 0 of a four-output decoder, and 0.4 itself does not pass', async () => {
    const at = Math.fround(0.4);
    const sam2 = scriptedSam2({ maskTokens: 4, iou: (p, t) => (t === 0 ? 0.99 : p % 2 === 0 ? (t === 2 ? 0.7 : 0.5) : at) });
    const out = await proposeMasks(sam2, FAKE_EMBEDDINGS, { ...config, pointsPerSide: 4 }, size);
    expect(out.iou.length).toBe(8);
    expect(Array.from(out.iou)).toEqual(new Array(8).fill(Math.fround(0.7)));
    // Token 2 of 4 has radius 6.37 + 10.
    const c = Math.floor((0 + 1) / 4);
    expect((out.logits as Float32Array)[c * 256 + c]).toBeCloseTo(16.37 - Math.hypot(c + 0.5 - 0.25, c + 0.5 - 0.25), 4);
  });

  it('processes a last partial batch', async () => {
    const sam2 = scriptedSam2({ maskTokens: 3, iou: () => 0.9 });
    const out = await proposeMasks(sam2, FAKE_EMBEDDINGS, { ...config, pointsPerSide: 5, pointsPerBatch: 10 }, size);
    expect(sam2.batches).toEqual([10, 10, 5]);
    expect(out.iou.length).toBe(25);
  });
});

describe('sam2-amg proposals', () => {
  const config = resolveProposalConfig('sam2-amg') as AmgConfig;

  it('keeps every multimask output with IoU > 0.8 and stability ≥ 0.95, then box NMS 0.7 by IoU', async () => {
    const n = 8;
    const iou = (p: number, t: number) => Math.fround(0.75 + ((p * 31 + t * 17) % 25) / 100);
    const radius = (t: number) => [3.3, 19.4, 21.2][t];
    const sam2 = scriptedSam2({ maskTokens: 3, iou, radius, slope: 8 });
    const out = await proposeMasks(sam2, FAKE_EMBEDDINGS, { ...config, pointsPerSide: n, pointsPerBatch: 16 }, size);
    expect(sam2.batches).toEqual([16, 16, 16, 16]);

    // Reference: the same filters written out plainly, then torchvision NMS on full-res boxes.
    const grid = amgGrid(n, size.width, size.height);
    const again = scriptedSam2({ maskTokens: 3, iou, radius, slope: 8 });
    const decoded = await again.decodePoints(FAKE_EMBEDDINGS, grid);
    const measurer = createFullResMeasurer(size.height, size.width);
    const kept: { q: number; plane: Float32Array; box: number[] }[] = [];
    let stabilityFailures = 0;
    for (let p = 0; p < n * n; p++) {
      for (let t = 0; t < 3; t++) {
        const q = decoded.iou[p * 3 + t];
        if (!(q > Math.fround(0.8))) continue;
        const plane = decoded.logits.subarray((p * 3 + t) * CELLS, (p * 3 + t + 1) * CELLS);
        const s = measurer.measure(plane, 1);
        if (!(s.stability >= Math.fround(0.95))) {
          stabilityFailures++;
          continue;
        }
        kept.push({ q, plane, box: s.box });
      }
    }
    // The small cones (radius 3.3 cells) are unstable: the ±1 band (±1/8 cell) is a large share of them.
    expect(stabilityFailures).toBeGreaterThan(0);
    const order = batchedNms(Float32Array.from(kept.flatMap((k) => k.box)), kept.map((k) => k.q), new Int32Array(kept.length), 0.7);
    expect(order.length).toBeLessThan(kept.length);
    expect(Array.from(out.iou)).toEqual(Array.from(order, (k) => kept[k].q));
    for (const [i, k] of Array.from(order).entries()) expect(samePlane((out.logits as Float32Array).subarray(i * CELLS, (i + 1) * CELLS), kept[k].plane)).toBe(true);
    for (let i = 1; i < out.iou.length; i++) expect(out.iou[i]).toBeLessThanOrEqual(out.iou[i - 1]);
  });
});
