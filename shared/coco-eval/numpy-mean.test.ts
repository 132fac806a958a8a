// Expected means printed by numpy 1.24.4 (np.mean of the same float64 sequences).
import { describe, expect, it } from 'vitest';
import { numpyMean } from './numpy-mean.ts';

const harmonic = (n: number) => Array.from({ length: n }, (_, i) => 1.0 / (i + 1));
const mixed = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % 1009) / 1009.0 + 1.0 / (i + 3));

describe('numpyMean', () => {
  it('matches numpy below the pairwise block size and within one buffer', () => {
    expect(numpyMean(harmonic(5))).toBe(0.45666666666666667);
    expect(numpyMean(harmonic(100))).toBe(0.05187377517639621);
    // A plain left-to-right sum gives 0.007485470860550343 here.
    expect(numpyMean(harmonic(1000))).toBe(0.007485470860550345);
  });

  it('adds 8192-element chunks one after another, as numpy 1.24 does', () => {
    // One pairwise tree over all elements (numpy ≥ 2.3) gives other last bits for these two.
    expect(numpyMean(harmonic(9000))).toBe(0.00107580567508296);
    expect(numpyMean(mixed(9000))).toBe(0.500511300024258);
    expect(numpyMean(harmonic(20000))).toBe(0.0005240364108614665);
  });

  it('is NaN for an empty array', () => {
    expect(numpyMean([])).toBeNaN();
  });
});
