import { describe, expect, it } from 'vitest';
import { countsToString, stringToCounts } from './counts-string.ts';
import { RleFormatError } from './errors.ts';
import { MalformedRleError } from '../errors.ts';
import { rng } from './testing.ts';

describe('countsToString', () => {
  it('writes small counts as one char each', () => {
    expect(countsToString([0])).toBe('0');
    expect(countsToString([1, 2, 3])).toBe('123');
    expect(countsToString([15])).toBe('?');
  });

  it('continues into a second char from 16 on (bit 4 is the sign of the last char)', () => {
    expect(countsToString([16])).toBe('`0');
    expect(countsToString([31])).toBe('o0');
    expect(countsToString([32])).toBe('P1');
  });

  it('writes the difference to the count two back from the fourth count on, negative too', () => {
    // 4th value: 1 - 2 = -1 → one char 31 + 48 = 'O'; 5th: 5 - 3 = 2.
    expect(countsToString([1, 2, 3, 1, 5])).toBe('123O2');
  });

  it('reaches 2^32 - 1 in seven chars', () => {
    expect(countsToString([2 ** 32 - 1])).toBe('oooooo3');
  });

  it('refuses counts that are not uint32', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(() => countsToString([3, bad])).toThrow(RleFormatError);
    }
  });
});

describe('stringToCounts', () => {
  it('inverts countsToString on random counts of every magnitude', () => {
    const rand = rng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = Math.floor(rand() * 40);
      const scale = [2, 40, 2 ** 15 + 5, 2 ** 24, 2 ** 32 - 1][trial % 5];
      const counts = Array.from({ length: n }, () => Math.floor(rand() * scale));
      const s = countsToString(counts);
      expect(Array.from(stringToCounts(s))).toEqual(counts);
    }
  });

  it('decodes the largest count and large negative differences', () => {
    expect(Array.from(stringToCounts('oooooo3'))).toEqual([2 ** 32 - 1]);
    const counts = [0, 2 ** 32 - 1, 5, 0, 7];
    expect(Array.from(stringToCounts(countsToString(counts)))).toEqual(counts);
  });

  it('gives an empty array for an empty string', () => {
    expect(stringToCounts('')).toHaveLength(0);
  });

  it.each([
    ['a character below "0"', '12 3'],
    ['a character above "o"', '12p'],
    ['a non-ASCII character', '1é'],
    ['a value cut off after a continuation char', '12`'],
    ['a value longer than 7 chars', 'PPPPPPP0'],
    ['a negative first count', 'O'],
    ['a count of 2^32', 'PPPPPP4'],
    ['a difference that makes a count negative', '005O'],
    ['a difference that overflows uint32', '005PPPPPP4'],
  ])('refuses %s with a typed error', (_what, s) => {
    expect(() => stringToCounts(s)).toThrow(RleFormatError);
    expect(() => stringToCounts(s)).toThrow(MalformedRleError);
  });

  it('terminates on arbitrary strings, returning at most one count per char', () => {
    const rand = rng(11);
    for (let trial = 0; trial < 2000; trial++) {
      const s = Array.from({ length: Math.floor(rand() * 30) }, () => String.fromCharCode(40 + Math.floor(rand() * 80))).join('');
      try {
        expect(stringToCounts(s).length).toBeLessThanOrEqual(s.length);
      } catch (e) {
        expect(e).toBeInstanceOf(RleFormatError);
      }
    }
  });

  it('round-trips 200 000 counts', () => {
    const counts = Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 100_000);
    expect(Array.from(stringToCounts(countsToString(counts)))).toEqual(counts);
  });
});
