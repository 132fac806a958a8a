import { describe, expect, it } from 'vitest';
import { BankArgumentError } from './errors.ts';
import { instanceMean } from './instance-mean.ts';

const P = 37 * 37;

describe('instanceMean', () => {
  it('is the weight-normalised sum of the patch features', () => {
    const D = 2;
    const features = new Float32Array(P * D);
    const weights = new Float32Array(P);
    features.set([1, 10], 0);
    features.set([3, -2], 5 * D);
    features.set([100, 100], 7 * D); // zero weight: ignored
    weights[0] = 0.25;
    weights[5] = 0.75;
    expect(Array.from(instanceMean(features, weights, D)!)).toEqual([2.5, 1]);
  });

  it('returns null when no patch has weight', () => {
    expect(instanceMean(new Float32Array(P * 3).fill(1), new Float32Array(P), 3)).toBeNull();
  });

  it('rejects arrays of the wrong size', () => {
    expect(() => instanceMean(new Float32Array(P * 3), new Float32Array(P - 1), 3)).toThrow(BankArgumentError);
    expect(() => instanceMean(new Float32Array(P * 3), new Float32Array(P), 4)).toThrow(BankArgumentError);
  });
});
