import { describe, expect, it } from 'vitest';
import { encodeMask, rleCounts, runEnds } from '../coco-mask/index.ts';
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
    ends: runEnds(rleCounts(encodeMask(mask, H, W))),
    area: mask.reduce((a, b) => a + b, 0),
    box: maskToBoxInclusive(mask, H, W),
  };
}

/**
 * ios by its definition, pixel by pixel, for entries whose masks are given; `exact`: bit-equal (the
 * definition's formula with the dot product summed in increasing k, as the merge must take it).
 */
function expectExhaustive(got: Float64Array, entries: readonly MergeInput[], masks: readonly Uint8Array[], exact = false): void {
  entries.forEach((e, i) => {
    let want = 0;
    for (let j = 0; j < i; j++) {
      if (entries[j].label !== e.label) continue;
      let inter = 0;
      for (let p = 0; p < H * W; p++) inter += masks[i][p] & masks[j][p];
      const sim = e.embedding.reduce((s, v, k) => s + v * entries[j].embedding[k], 0);
      want = Math.max(want, (inter / e.area) * Math.max(0, sim));
    }
    if (exact) expect(got[i], `entry ${i}`).toBe(want);
    else expect(got[i], `entry ${i}`).toBeCloseTo(want, 12);
  });
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
    expectExhaustive(got, entries, masks);
    expect(got.some((v) => v > 1)).toBe(true);
  });

  it('takes every dot product as the plain sequential sum, however many pairs share a partner in a pass', () => {
    // Per label, one large mask first and then 1…7 masks inside it: each inner mask's first partner
    // is the large one, so a round holds groups of 1…7 pairs with one partner (paired passes, odd
    // leftovers, padded last groups). Odd dimension; values bit-equal to the definition's formula.
    const rand = seededRandom(5);
    const dim = 37;
    const masks: Uint8Array[] = [];
    const entries: MergeInput[] = [];
    [1, 2, 3, 4, 5, 7].forEach((inner, label) => {
      const add = (mask: Uint8Array) => {
        masks.push(mask);
        entries.push(entry(label, Array.from({ length: dim }, () => rand() - 0.3), mask));
      };
      add(rect(0, 0, W - 1, H - 1));
      for (let k = 0; k < inner; k++) {
        const x = Math.floor(rand() * 8);
        const y = Math.floor(rand() * 6);
        add(rect(x, y, x + 1 + Math.floor(rand() * 3), y + 1 + Math.floor(rand() * 3)));
      }
    });
    const got = semanticIos(entries);
    expectExhaustive(got, entries, masks, true);
    expect(got.filter((v) => v > 0).length).toBeGreaterThan(15);
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
  it('gives the same values with the axis bound, which skips dot products and walks (axes near and far, unnormalised)', () => {
    const rand = seededRandom(21);
    const dim = 6;
    // One unit axis per label; embeddings scattered around it at every angle, some almost along it.
    const axes = [0, 1, 2].map(() => {
      const v = Array.from({ length: dim }, () => rand() - 0.5);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    const masks: Uint8Array[] = [];
    const entries: MergeInput[] = [];
    for (let i = 0; i < 90; i++) {
      const x = Math.floor(rand() * 8);
      const y = Math.floor(rand() * 6);
      const mask = rect(x, y, Math.min(W - 1, x + 1 + Math.floor(rand() * 4)), Math.min(H - 1, y + 1 + Math.floor(rand() * 4)));
      masks.push(mask);
      const label = Math.floor(rand() * 3);
      const spread = [0, 1e-6, 0.05, 0.5, 2][Math.floor(rand() * 5)];
      const e = entry(label, axes[label].map((v) => v + spread * (rand() - 0.5)), mask);
      const embedding = e.embedding.map((v) => v * (0.9 + 0.2 * rand()));
      const axis = embedding.reduce((a, v, k) => a + v * axes[label][k], 0);
      entries.push({ ...e, embedding, axis });
    }
    const plain = semanticIos(entries.map(({ axis: _, ...e }) => e));
    const got = semanticIos(entries);
    expect(Array.from(got)).toEqual(Array.from(plain));
    expectExhaustive(got, entries, masks);
    expect(got.filter((v) => v > 0).length).toBeGreaterThan(30);
  });

  it('the axis bound is exact for a pair in the plane of the axis and still lets that pair set the maximum', () => {
    // i at 60° from the axis, j along it: cosine 0.5, and the axis bounds it by 0.5 (plus margin).
    const c = 0.5;
    const s = Math.sqrt(3) / 2;
    const i = { ...entry(0, [c, s, 0], rect(0, 0, 4, 4)), axis: c }; // 25 px
    const along = { ...entry(0, [1, 0, 0], rect(0, 0, 5, 5)), axis: 1 }; // covers i: 1 · 0.5
    const twin = (y2: number) => ({ ...entry(0, [c, s, 0], rect(0, 0, 4, y2)), axis: c }); // cosine 1
    const cases: [MergeInput[], number][] = [
      [[along, twin(2), i], 15 / 25],
      [[along, twin(1), i], 0.5],
      [[twin(1), along, i], 0.5],
    ];
    for (const [entries, want] of cases) {
      const got = semanticIos(entries)[2];
      expect(got).toBeCloseTo(want, 6);
      expect(got).toBe(semanticIos(entries.map(({ axis: _, ...e }) => e))[2]);
    }
  });
});
