import { describe, expect, it } from 'vitest';
import { BankArgumentError } from './errors.ts';
import { prototypes } from './prototypes.ts';

describe('prototypes', () => {
  it('averages the shots of each class, then L2-normalises', () => {
    const p = prototypes([
      [Float64Array.of(1, 2), Float64Array.of(5, 0)],
      [Float64Array.of(0, -4)],
    ]);
    expect(p.unnormalized.map((v) => Array.from(v))).toEqual([[3, 1], [0, -4]]);
    expect(p.normalized[0][0]).toBeCloseTo(3 / Math.sqrt(10), 15);
    expect(p.normalized[0][1]).toBeCloseTo(1 / Math.sqrt(10), 15);
    expect(Array.from(p.normalized[1])).toEqual([0, -1]);
  });

  it('leaves a zero prototype at zero instead of dividing by zero', () => {
    expect(Array.from(prototypes([[Float64Array.of(1, -1), Float64Array.of(-1, 1)]]).normalized[0])).toEqual([0, 0]);
  });

  it('rejects a class without shots and shots of different dimensions', () => {
    expect(() => prototypes([[Float64Array.of(1)], []])).toThrow(BankArgumentError);
    expect(() => prototypes([[Float64Array.of(1, 2), Float64Array.of(1)]])).toThrow(BankArgumentError);
  });
});
