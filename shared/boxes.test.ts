import { describe, expect, it } from 'vitest';
import { BoxArgumentError, batchedNms, cocoBoxFromInclusive, maskToBoxInclusive } from './boxes.ts';
import { rng } from './coco-mask/testing.ts';

describe('maskToBoxInclusive', () => {
  it('returns the inclusive min/max row and column of set pixels', () => {
    const h = 5;
    const w = 6;
    const mask = new Uint8Array(h * w);
    mask[1 * w + 4] = 1;
    mask[3 * w + 2] = 1;
    mask[3 * w + 3] = 1;
    expect(maskToBoxInclusive(mask, h, w)).toEqual([2, 1, 4, 3]);
  });

  it('gives one pixel a zero-size box at that pixel', () => {
    const mask = new Uint8Array(12);
    mask[2 * 4 + 3] = 1;
    expect(maskToBoxInclusive(mask, 3, 4)).toEqual([3, 2, 3, 2]);
  });

  it('gives [0,0,0,0] for an empty mask', () => {
    expect(maskToBoxInclusive(new Uint8Array(20), 4, 5)).toEqual([0, 0, 0, 0]);
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => maskToBoxInclusive(new Uint8Array(5), 2, 3)).toThrow(/2×3/);
  });
});

describe('cocoBoxFromInclusive', () => {
  it('reports the true extent by default and the official one-pixel-short box under compat', () => {
    expect(cocoBoxFromInclusive([3, 2, 10, 7], false)).toEqual([3, 2, 8, 6]);
    expect(cocoBoxFromInclusive([3, 2, 10, 7], true)).toEqual([3, 2, 7, 5]);
  });
});

/** Plain float64 class-wise greedy NMS in input-sorted order: an independent oracle for exact-integer boxes. */
function naiveNms(boxes: Float32Array, scores: number[], labels: number[], thr: number): number[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  const area = (i: number) => (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
  for (const j of order) {
    const hit = kept.some((i) => {
      if (labels[i] !== labels[j]) return false;
      const w = Math.max(0, Math.min(boxes[4 * i + 2], boxes[4 * j + 2]) - Math.max(boxes[4 * i], boxes[4 * j]));
      const h = Math.max(0, Math.min(boxes[4 * i + 3], boxes[4 * j + 3]) - Math.max(boxes[4 * i + 1], boxes[4 * j + 1]));
      return (w * h) / (area(i) + area(j) - w * h) > thr;
    });
    if (!hit) kept.push(j);
  }
  return kept;
}

function randomGridBoxes(n: number, classes: number, seed: number) {
  let s = seed;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const boxes = new Float32Array(4 * n);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Math.floor(rnd() * 240);
    const y = Math.floor(rnd() * 240);
    boxes.set([x, y, Math.min(255, x + Math.floor(rnd() * 60)), Math.min(255, y + Math.floor(rnd() * 60))], 4 * i);
    scores.push(Math.fround(rnd()));
    labels.push(Math.floor(rnd() * classes));
  }
  return { boxes, scores, labels };
}

describe('batchedNms', () => {
  it('keeps an IoU of exactly the threshold, drops a duplicate, and orders by score', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 10, 50, 50, 60, 60]);
    expect(Array.from(batchedNms(boxes, [0.9, 0.8, 0.7, 0.95], [0, 0, 0, 0], 0.5))).toEqual([3, 0, 1]);
  });

  it('never lets a box suppress one of another label', () => {
    const boxes = new Float32Array([0, 0, 10, 10, 0, 0, 10, 10]);
    expect(Array.from(batchedNms(boxes, [0.9, 0.8], [3, 7], 0.5))).toEqual([0, 1]);
  });

  it('keeps zero-area boxes, even identical ones', () => {
    const boxes = new Float32Array([4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 8, 0]);
    expect(Array.from(batchedNms(boxes, [0.9, 0.8, 0.7], [0, 0, 0], 0.1))).toEqual([0, 1, 2]);
  });

  it('breaks score ties by input index', () => {
    const boxes = new Float32Array([0, 0, 1, 1, 5, 5, 6, 6, 9, 9, 10, 10]);
    expect(Array.from(batchedNms(boxes, [0.5, 0.7, 0.5], [0, 0, 0], 0.5))).toEqual([1, 0, 2]);
  });

  it('orders many disjoint boxes as a stable sort by descending score (−0 and 0 tie, so do infinities)', () => {
    const rand = rng(5);
    const n = 300;
    const pool = [0.25, 0.5, 0.75, 0, -0, Infinity, -Infinity, 1e-300];
    const scores = Array.from({ length: n }, () => (rand() < 0.5 ? pool[Math.floor(rand() * pool.length)] : rand()));
    // One pixel-wide box per index, apart from every other.
    const boxes = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) boxes.set([3 * i, 0, 3 * i + 1, 1], 4 * i);
    const want = Array.from(scores.keys()).sort((a, b) => (scores[a] === scores[b] ? a - b : scores[b] > scores[a] ? 1 : -1));
    expect(Array.from(batchedNms(boxes, scores, new Int32Array(n), 0.5))).toEqual(want);
  });

  // 15 − 2⁻²⁰ against [10,20]: IoU just above 0.5 in raw float32, exactly 0.5 once offset by the
  // label step (101) rounds it to 116 — torchvision's small-input path keeps it, its large-input
  // per-label path drops it.
  const nearHalf = new Float32Array([0, 0, 100, 100, 10, 10, 20, 20, 15 - 2 ** -20, 10, 20, 20]);
  it('reproduces the float32 rounding of the label-offset path below 1001 boxes', () => {
    expect(Array.from(batchedNms(nearHalf, [0.5, 0.9, 0.8], [0, 1, 1], 0.5))).toEqual([1, 2, 0]);
  });

  it('uses raw coordinates above 1000 boxes, like torchvision’s per-label loop', () => {
    const n = 1001;
    const boxes = new Float32Array(4 * n);
    boxes.set(nearHalf);
    const scores = [0.5, 0.9, 0.8];
    const labels = [0, 1, 1];
    for (let i = 3; i < n; i++) {
      boxes.set([200 + i, 0, 201 + i, 1], 4 * i);
      scores.push(0.1);
      labels.push(2);
    }
    const keep = Array.from(batchedNms(boxes, scores, labels, 0.5));
    expect(keep.slice(0, 2)).toEqual([1, 0]);
    expect(keep).not.toContain(2);
    expect(keep).toHaveLength(n - 1);
  });

  for (const [n, classes, thr] of [
    [900, 20, 0.5],
    [4000, 20, 0.5],
    [2000, 1, 0.7],
  ] as const) {
    it(`agrees with a float64 greedy oracle on ${n} integer boxes, ${classes} labels, thr ${thr}`, () => {
      const { boxes, scores, labels } = randomGridBoxes(n, classes, n * 31 + classes);
      const keep = Array.from(batchedNms(boxes, scores, labels, thr));
      expect(keep.length).toBeLessThan(n);
      expect(keep).toEqual(naiveNms(boxes, scores, labels, thr));
    });
  }

  it('returns nothing for no boxes and rejects mismatched inputs', () => {
    expect(batchedNms(new Float32Array(0), [], [], 0.5)).toHaveLength(0);
    expect(() => batchedNms(new Float32Array(4), [0.5, 0.4], [0, 0], 0.5)).toThrow(BoxArgumentError);
    expect(() => batchedNms(new Float32Array(4), [0.5], [0, 0], 0.5)).toThrow(BoxArgumentError);
    expect(() => batchedNms(new Float32Array(4), [Number.NaN], [0], 0.5)).toThrow(BoxArgumentError);
    expect(() => batchedNms(new Float32Array(4), [0.5], [0], -0.1)).toThrow(BoxArgumentError);
  });
});
