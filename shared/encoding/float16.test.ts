import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Bits, toFloat16Bits } from './float16.ts';

// Every finite half value, in increasing order of magnitude for the positive bit patterns.
const positive = Array.from({ length: 0x7c00 }, (_, h) => fromFloat16Bits(h));

/** Reference rounding by search over all halves (independent of the bit-twiddling code). */
function nearestHalfBits(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65504 + half an ulp (2^4): ties go to even = Infinity
  let lo = 0;
  let hi = positive.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (positive[mid] <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - positive[lo];
  const dHi = positive[hi] - a;
  const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

describe('float16', () => {
  it('decodes known bit patterns', () => {
    expect(fromFloat16Bits(0x3c00)).toBe(1);
    expect(fromFloat16Bits(0xc000)).toBe(-2);
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0400)).toBe(2 ** -14);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(fromFloat16Bits(0x03ff)).toBe(1023 * 2 ** -24);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.333251953125, 15);
    expect(fromFloat16Bits(0x7c00)).toBe(Infinity);
    expect(fromFloat16Bits(0xfc00)).toBe(-Infinity);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
    expect(Object.is(fromFloat16Bits(0x8000), -0)).toBe(true);
  });

  it('encodes known values, including ties, overflow and underflow', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(1 / 3)).toBe(0x3555);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65519)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00);
    expect(toFloat16Bits(1e9)).toBe(0x7c00);
    expect(toFloat16Bits(-1e9)).toBe(0xfc00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie → even (0)
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 → even (2)
    expect(toFloat16Bits(Math.fround(2 ** -25 * 1.0000001))).toBe(0x0001);
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(toFloat16Bits(-(2 ** -30))).toBe(0x8000);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toFloat16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // subnormal carries into the smallest normal
    expect(toFloat16Bits(-0)).toBe(0x8000);
    expect(toFloat16Bits(Infinity)).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(toFloat16Bits(NaN) & 0x3ff).not.toBe(0);
  });

  it('round-trips every half bit pattern exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, h) => h);
    const back = float32ToFloat16Bits(float16BitsToFloat32(all));
    const isNaN16 = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
    const wrong = [...all].filter((h) => (isNaN16(h) ? !isNaN16(back[h]) : back[h] !== h));
    expect(wrong).toEqual([]);
  });

  it('rounds every midpoint between neighbouring halves to the even one', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x7bff; h++) {
      const mid = (positive[h] + positive[h + 1]) / 2; // exact in float32: one more mantissa bit
      const even = h % 2 === 0 ? h : h + 1;
      if (Math.fround(mid) !== mid || toFloat16Bits(mid) !== even || toFloat16Bits(-mid) !== (0x8000 | even)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds 200k random float32 values like an exhaustive nearest search', () => {
    let s = 12345;
    const bits = new Uint32Array(200_000);
    for (let i = 0; i < bits.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      // Exponents spread over half's whole range and a bit beyond it.
      const exp = 95 + (s % 50);
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      bits[i] = ((s & 1) << 31) | (exp << 23) | (s >>> 9);
    }
    const values = new Float32Array(bits.buffer);
    const halves = float32ToFloat16Bits(values);
    const wrong: { x: number; got: number; want: number }[] = [];
    for (let i = 0; i < values.length; i++) {
      const want = nearestHalfBits(values[i]);
      if (halves[i] !== want) wrong.push({ x: values[i], got: halves[i], want });
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
