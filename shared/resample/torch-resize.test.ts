import { describe, expect, it } from 'vitest';
import { ResampleArgumentError } from './check.ts';
import { torchBicubic, torchBilinear, torchNearest } from './torch-resize.ts';

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.37) * 3));
}

describe('torchBicubic', () => {
  it('upsamples [0, 1] to the hand values, overshoot kept', () => {
    const y = torchBicubic(Float32Array.of(0, 1), 1, 1, 2, 1, 4);
    expect(Array.from(y)).toEqual([-0.10546875, 0.2265625, 0.7734375, 1.10546875]);
  });

  it('resamples columns like rows', () => {
    const y = torchBicubic(Float32Array.of(0, 1), 1, 2, 1, 4, 1);
    expect(Array.from(y)).toEqual([-0.10546875, 0.2265625, 0.7734375, 1.10546875]);
  });

  it('returns finite values unchanged at equal size', () => {
    const x = ramp(2 * 5 * 7);
    expect(torchBicubic(x, 2, 5, 7, 5, 7)).toEqual(x);
  });

  it('keeps channels apart', () => {
    const x = new Float32Array(2 * 3 * 3);
    x.fill(1, 9);
    const y = torchBicubic(x, 2, 3, 3, 4, 5);
    expect(Array.from(y.subarray(0, 20))).toEqual(new Array(20).fill(0));
    for (const v of y.subarray(20)) expect(v).toBeCloseTo(1, 6);
  });
});

describe('torchBilinear', () => {
  it('upsamples [0, 1] to [0, .25, .75, 1] with or without antialias', () => {
    for (const antialias of [false, true]) {
      expect(Array.from(torchBilinear(Float32Array.of(0, 1), 1, 1, 2, 1, 4, { antialias }))).toEqual([0, 0.25, 0.75, 1]);
    }
  });

  it('averages with the widened triangle when antialiased, samples two pixels when not', () => {
    const x = Float32Array.of(0, 1, 2, 3);
    const aa = torchBilinear(x, 1, 1, 4, 1, 2, { antialias: true });
    const a = Math.fround(0.75 / 1.75);
    const b = Math.fround(0.25 / 1.75);
    expect(aa[0]).toBe(Math.fround(Math.fround(a) + Math.fround(2 * b)));
    expect(aa[1]).toBe(Math.fround(Math.fround(Math.fround(b) + Math.fround(2 * a)) + Math.fround(3 * a)));
    expect(Array.from(torchBilinear(x, 1, 1, 4, 1, 2, { antialias: false }))).toEqual([0.5, 2.5]);
  });

  it('copies at equal size when antialiased', () => {
    const x = ramp(3 * 4 * 6);
    const y = torchBilinear(x, 3, 4, 6, 4, 6, { antialias: true });
    expect(y).not.toBe(x);
    expect(y).toEqual(x);
  });
});

describe('torchNearest', () => {
  it('picks the sampled pixels exactly', () => {
    const x = Float32Array.from({ length: 2 * 4 * 5 }, (_, i) => i);
    const y = torchNearest(x, 2, 4, 5, 2, 3);
    // rows floor(i·2) = 0, 2; cols floor(i·fround(5/3)) = 0, 1, 3.
    expect(Array.from(y)).toEqual([0, 1, 3, 10, 11, 13, 20, 21, 23, 30, 31, 33]);
  });
});

describe('argument checks', () => {
  it('rejects a tensor whose length does not match c·h·w, and empty sizes', () => {
    expect(() => torchBicubic(new Float32Array(5), 1, 2, 3, 4, 4)).toThrow(ResampleArgumentError);
    expect(() => torchBilinear(new Float32Array(6), 1, 2, 3, 0, 4, { antialias: true })).toThrow(/outH/);
    expect(() => torchNearest(new Float32Array(6), 1, 2, 3, 4, -1)).toThrow(ResampleArgumentError);
  });
});
