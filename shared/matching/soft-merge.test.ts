import { describe, expect, it } from 'vitest';
import { encodeMask, rleCounts } from '../coco-mask/index.ts';
import { seededRandom } from '../../test/bench/synthetic.ts';
import { maskToBoxInclusive } from '../boxes.ts';
import { decayedScore, semanticIos } from './soft-merge.ts';
import type { MergeInput } from './soft-merge.ts';

const H = 10;
const W = 12;

/** A mask of the given inclusive rectangle. */
function rect(x1: number, y1: number, x2: number, y2: number): Uint8Array {
  const m = new Uint8Array(H * W);
  for (let y = y1; y <= y2; y++) m.fill(1, y * W + x1, y * W + x2 + 1);
  return m;
}

function entry(label: number, embedding: number[], mask: Uint8Array): MergeInput {
  const n = Math.hypot(...embedding);
  return {
    label,
    embedding: Float32Array.from(embedding, (v) => v / n),
    runs: rleCounts(encodeMask(mask, H, W)),
    area: mask.reduce((a, b) => a + b, 0),
    box: maskToBoxInclusive(mask, H, W),
  };
}

describe('semantic soft merge', () => {
  it('decays by intersection over own area times the cosine, against earlier same-label masks only', () => {
    const big = rect(0, 0, 5, 5); // 36 px
    const inner = rect(2, 2, 3, 3); // 4 px, inside big
    const half = rect(3, 0, 8, 5); // 36 px, 18 shared with big
    const entries = [
      entry(0, [1, 0], big),
      entry(0, [1, 1], inner), // cos 1/√2 with big
      entry(1, [1, 0], inner), // other label: never decayed by label 0
      entry(0, [0, 1], half), // cos 0 with big, 1/√2 with inner (column 3 of it: 2 px of 36)
      entry(0, [1, 0], rect(0, 0, 1, 1)), // inside big, identical embedding
    ];
    const ios = semanticIos(entries);
    expect(ios[0]).toBe(0);
    expect(ios[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(ios[2]).toBe(0);
    expect(ios[3]).toBeCloseTo((2 / 36) * Math.SQRT1_2, 6);
    expect(ios[4]).toBeCloseTo(1, 6);
    expect(decayedScore(0.8, ios[1])).toBeCloseTo(0.8 * Math.sqrt(1 - Math.SQRT1_2), 6);
    expect(decayedScore(0.5, 0)).toBe(0.5);
  });

  it('ignores negative cosines and disjoint masks', () => {
    const ios = semanticIos([entry(2, [1, 0], rect(0, 0, 4, 4)), entry(2, [-1, 0.2], rect(0, 0, 4, 4)), entry(2, [1, 0], rect(6, 6, 9, 9))]);
    expect(Array.from(ios)).toEqual([0, 0, 0]);
  });

  it('takes the largest of several earlier overlaps (later masks decayed by decayed ones too)', () => {
    const ios = semanticIos([
      entry(0, [1, 0], rect(0, 0, 3, 3)),
      entry(0, [1, 0], rect(0, 0, 7, 3)), // half inside the first
      entry(0, [1, 0], rect(4, 0, 7, 3)), // disjoint from the first, inside the second
    ]);
    expect(ios[1]).toBeCloseTo(0.5, 6);
    expect(ios[2]).toBeCloseTo(1, 6);
  });

  it('equals the exhaustive definition, also for embeddings that are not exactly unit length', () => {
    const rand = seededRandom(9);
    const masks: Uint8Array[] = [];
    const entries: MergeInput[] = [];
    for (let i = 0; i < 60; i++) {
      const x = Math.floor(rand() * 9);
      const y = Math.floor(rand() * 7);
      const mask = rect(x, y, Math.min(W - 1, x + Math.floor(rand() * 5)), Math.min(H - 1, y + Math.floor(rand() * 4)));
      masks.push(mask);
      const e = entry(Math.floor(rand() * 3), [rand() - 0.2, rand() - 0.2, rand()], mask);
      // Norms of 0.9…1.1, as after a lossy transport.
      const scale = 0.9 + 0.2 * rand();
      entries.push({ ...e, embedding: e.embedding.map((v) => v * scale) });
    }
    const got = semanticIos(entries);
    entries.forEach((e, i) => {
      let want = 0;
      for (let j = 0; j < i; j++) {
        if (entries[j].label !== e.label) continue;
        let inter = 0;
        for (let p = 0; p < H * W; p++) inter += masks[i][p] & masks[j][p];
        const sim = e.embedding.reduce((s, v, k) => s + v * entries[j].embedding[k], 0);
        want = Math.max(want, (inter / e.area) * Math.max(0, sim));
      }
      expect(got[i], `entry ${i}`).toBeCloseTo(want, 12);
    });
    expect(got.some((v) => v > 1)).toBe(true);
  });

  it('does not skip a smaller overlap whose cosine exceeds 1 (embeddings not exactly normalised)', () => {
    const i = entry(0, [1, 0], rect(0, 0, 9, 1)); // 20 px
    const scaled = (e: MergeInput, k: number) => ({ ...e, embedding: e.embedding.map((v) => v * k) });
    const ios = semanticIos([
      entry(0, [0.95, Math.sqrt(1 - 0.95 ** 2)], rect(0, 0, 9, 1)), // covers i: 1 · 0.95
      scaled(entry(0, [1, 0], rect(0, 0, 8, 1)), 1.1), // 18/20 of i, cosine 1.1: 0.99
      i,
    ]);
    expect(ios[2]).toBeCloseTo(0.99, 6);
  });
});
