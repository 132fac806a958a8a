// Expected values were printed by CPython 3.11's `random` module (the oracle), e.g.
// `r = random.Random(33); r.getrandbits(100)`.
import { describe, expect, it } from 'vitest';
import { RandomArgumentError } from './errors.ts';
import { Mt19937, seedKeyWords } from './mt19937.ts';

describe('Mt19937 (CPython random)', () => {
  it('splits seeds into 32-bit words of the absolute value', () => {
    expect(seedKeyWords(0)).toEqual([0]);
    expect(seedKeyWords(33)).toEqual([33]);
    expect(seedKeyWords(-33)).toEqual([33]);
    expect(seedKeyWords(4294967297)).toEqual([1, 1]);
    expect(seedKeyWords(18446744073709563961n)).toEqual([12345, 0, 1]);
  });

  it('seeds a negative int like its absolute value', () => {
    expect(new Mt19937(-33).random()).toBe(0.5703284231368732);
  });

  it('getrandbits for k > 32 fills words low to high and k = 0 draws nothing', () => {
    const r = new Mt19937(33);
    expect(r.getrandbits(100)).toBe(287775146463762079125763853112n);
    expect(r.getrandbits(33)).toBe(7803972133n);
    expect(r.getrandbits(0)).toBe(0n);
    expect(r.getrandbits(1)).toBe(0n);
  });

  it('randbelow / randrange beyond 32 bits and with steps', () => {
    const big = new Mt19937(7);
    expect(big.randbelow(2n ** 70n + 3n)).toBe(367973167121809454136n);
    expect(big.randrange(2 ** 40 + 5)).toBe(159121178576);
    const r = new Mt19937(7);
    expect([r.randrange(10, 20), r.randrange(10, 100, 7), r.randrange(100, 10, -7), r.randrange(-5, 5)]).toEqual([15, 24, 58, -5]);
    expect(r.randrange(2 ** 53 - 1)).toBe(7397381398802227);
  });

  it('rejects empty ranges like CPython', () => {
    const r = new Mt19937(1);
    expect(() => r.randrange(0)).toThrow(RandomArgumentError);
    expect(() => r.randrange(5, 5)).toThrow(RandomArgumentError);
    expect(() => r.randrange(0, 10, 0)).toThrow(RandomArgumentError);
    expect(() => r.randrange(0, 10, -1)).toThrow(RandomArgumentError);
  });

  it('choices: uniform, weights and cumulative weights', () => {
    const r = new Mt19937(11);
    const pop = ['a', 'b', 'c', 'd', 'e'];
    expect(r.choices(pop, { k: 5 })).toEqual(['c', 'c', 'e', 'c', 'c']);
    expect(r.choices(pop, { weights: [1, 0, 3, 0.5, 2], k: 6 })).toEqual(['c', 'c', 'c', 'd', 'e', 'a']);
    expect(r.choices(pop, { cumWeights: [1, 1, 4, 4.5, 6.5], k: 4 })).toEqual(['c', 'a', 'e', 'e']);
    expect(() => r.choices(pop, { weights: [0, 0, 0, 0, 0] })).toThrow(RandomArgumentError);
    expect(() => r.choices(pop, { weights: [1], k: 1 })).toThrow(RandomArgumentError);
  });

  it('shuffle', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    new Mt19937(5).shuffle(x);
    expect(x).toEqual([2, 3, 1, 0, 8, 7, 6, 5, 4, 9]);
  });

  it('getState/setState replays the stream', () => {
    const r = new Mt19937(42);
    r.random();
    const s = r.getState();
    const a = [r.random(), r.nextUint32()];
    r.setState(s);
    expect([r.random(), r.nextUint32()]).toEqual(a);
  });
});
