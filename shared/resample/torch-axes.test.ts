import { describe, expect, it } from 'vitest';
import type { SpanAxis, TapAxis } from './axis.ts';
import { spanToGather, tapsToGather } from './axis.ts';
import { bicubicAxis, bilinearAaAxis, bilinearAxis, nearestIndex, torchScale } from './torch-axes.ts';

/** Dense [out, in] matrix of a table, repeated indices summed. */
function dense(axis: SpanAxis<Float32Array> | TapAxis, inSize: number): number[][] {
  const g = 'taps' in axis ? tapsToGather(axis) : spanToGather(axis);
  const m = Array.from({ length: g.outSize }, () => new Array<number>(inSize).fill(0));
  for (let i = 0; i < g.outSize; i++) {
    for (let j = 0; j < g.count[i]; j++) m[i][g.index[i * g.stride + j]] += g.weights[i * g.stride + j];
  }
  return m;
}

describe('torchScale', () => {
  it('is float32(in) / out rounded to float32', () => {
    expect(torchScale(1024, 518)).toBe(Math.fround(1024 / 518));
    expect(torchScale(1024, 518)).not.toBe(1024 / 518);
    expect(torchScale(37, 256)).toBe(Math.fround(37 / 256));
  });
});

describe('bicubicAxis', () => {
  it('has the A = −0.75 weights and clamped taps for 2 → 4', () => {
    // dst 0: src = −0.25, floor −1, t = 0.75 ⇒ taps −2…1 clamped to 0,0,0,1.
    // c2(1.75) = −0.03515625, c1(0.75) = 0.26171875, c1(0.25) = 0.87890625, c2(1.25) = −0.10546875.
    const axis = bicubicAxis(2, 4);
    expect(axis.taps).toBe(4);
    expect(Array.from(axis.index.subarray(0, 8))).toEqual([0, 0, 0, 1, 0, 0, 1, 1]);
    expect(Array.from(axis.weights.subarray(0, 8))).toEqual([
      -0.03515625, 0.26171875, 0.87890625, -0.10546875, -0.10546875, 0.87890625, 0.26171875, -0.03515625,
    ]);
  });

  it('is the identity (0, 1, 0, 0) at equal size', () => {
    const axis = bicubicAxis(5, 5);
    for (let i = 0; i < 5; i++) {
      expect(Array.from(axis.weights.subarray(4 * i, 4 * i + 4))).toEqual([0, 1, 0, 0]);
      expect(axis.index[4 * i + 1]).toBe(i);
    }
  });

  it('reads only the single pixel of a 1-pixel side', () => {
    const axis = bicubicAxis(1, 3);
    expect(Array.from(axis.index)).toEqual(new Array(12).fill(0));
  });
});

describe('bilinearAxis', () => {
  it('clamps the source index at 0 and the second tap at the last input', () => {
    const axis = bilinearAxis(2, 4);
    expect(Array.from(axis.index)).toEqual([0, 1, 0, 1, 0, 1, 1, 1]);
    expect(Array.from(axis.weights)).toEqual([1, 0, 0.75, 0.25, 0.25, 0.75, 0.75, 0.25]);
  });
});

describe('bilinearAaAxis', () => {
  it('widens the triangle when shrinking 4 → 2 (weights 3/7, 3/7, 1/7)', () => {
    const axis = bilinearAaAxis(4, 2);
    expect(Array.from(axis.start)).toEqual([0, 1]);
    expect(Array.from(axis.size)).toEqual([3, 3]);
    expect(axis.maxSize).toBe(3);
    const a = Math.fround(0.75 / 1.75);
    const b = Math.fround(0.25 / 1.75);
    expect(Array.from(axis.weights)).toEqual([a, a, b, b, a, a]);
  });

  it('averages everything when shrinking to one sample', () => {
    const axis = bilinearAaAxis(9, 1);
    expect(axis.start[0]).toBe(0);
    expect(axis.size[0]).toBe(9);
    const sum = axis.weights.reduce((s, w) => s + w, 0);
    expect(sum).toBeCloseTo(1, 6);
  });

  it('equals plain bilinear when enlarging (spec §7.3-5), including the borders', () => {
    for (const [n, m] of [[37, 256], [256, 480], [5, 518], [1, 7], [2, 3]]) {
      const aa = dense(bilinearAaAxis(n, m), n);
      const plain = dense(bilinearAxis(n, m), n);
      let worst = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(aa[i][j] - plain[i][j]));
      // Only float32 rounding separates them: the antialiased centre is rounded to float32,
      // which moves a weight by up to half an ulp of the input coordinate (n·2⁻²⁴).
      expect(worst, `${n} → ${m}`).toBeLessThan(n * 2 ** -24 + 5e-7);
    }
  });

  it('keeps every row summing to 1', () => {
    for (const [n, m] of [[256, 37], [256, 200], [13, 5], [640, 256]]) {
      for (const row of dense(bilinearAaAxis(n, m), n)) expect(Math.abs(row.reduce((s, w) => s + w, 0) - 1)).toBeLessThan(1e-6);
    }
  });
});

describe('nearestIndex', () => {
  it('samples 14·i for 518 → 37 (the DINOv2 patch grid)', () => {
    expect(Array.from(nearestIndex(518, 37))).toEqual(Array.from({ length: 37 }, (_, i) => 14 * i));
  });

  it('floors i·in/out and special-cases equal and doubled sizes', () => {
    expect(Array.from(nearestIndex(7, 16))).toEqual([0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect(Array.from(nearestIndex(3, 6))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(nearestIndex(4, 4))).toEqual([0, 1, 2, 3]);
    expect(Array.from(nearestIndex(5, 2))).toEqual([0, 2]);
  });
});
