// Expected strings printed by CPython 3.11 ('{:0.3f}'.format(x) / '{:0.2f}'.format(x)).
import { describe, expect, it } from 'vitest';
import { formatFixed } from './python-format.ts';

describe('formatFixed', () => {
  it('rounds exact ties to even, unlike toFixed', () => {
    expect([0.0625, 0.1875, 0.3125, -0.0625].map((x) => formatFixed(x, 3))).toEqual(['0.062', '0.188', '0.312', '-0.062']);
    expect([0.125, 0.375, 0.0625].map((x) => formatFixed(x, 2))).toEqual(['0.12', '0.38', '0.06']);
  });

  it('rounds everything else on the exact binary value', () => {
    expect([0.0005, 0.1235, 0.2345, 0.9995, 0.45].map((x) => formatFixed(x, 3))).toEqual(['0.001', '0.123', '0.234', '1.000', '0.450']);
    expect(formatFixed(0.8999999999999999, 2)).toBe('0.90');
    expect(formatFixed(-1, 3)).toBe('-1.000');
    expect(formatFixed(-0, 3)).toBe('-0.000');
    expect(formatFixed(0, 3)).toBe('0.000');
  });
});
