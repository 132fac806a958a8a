// IEEE 754 binary16 ⇄ binary32, bit-exact: round-to-nearest-even, gradual underflow to
// subnormals, overflow to ±Infinity, NaN stays NaN (quiet, top payload bits kept), -0 kept.
// Halves are handled as raw uint16 bit patterns so they can go on the wire unchanged.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds the float32 value of `x` (Math.fround first) to the nearest half; returns its bits. */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  return halfFromFloatBits(u32[0]);
}

function halfFromFloatBits(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  const mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant === 0 ? 0 : 0x200 | (mant >>> 13));
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Below half's normal range: value = m · 2^(e-25) with the hidden bit made explicit, and
    // the half subnormal unit is 2^-24, so the half mantissa is m >> (14 - e) rounded.
    if (e < -10) return sign; // under half the smallest subnormal: rounds to ±0
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    // A carry out of the subnormal mantissa lands exactly on the smallest normal (0x0400).
    return sign | (rest > midpoint || (rest === midpoint && (half & 1) === 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry may ripple into the exponent, up to 0x7c00 = Infinity, which is the right result.
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? half + 1 : half);
}

/** Half bits → its value (every half is exactly representable in float32 and float64). */
export function fromFloat16Bits(h: number): number {
  const negative = (h & 0x8000) !== 0;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) {
    const v = mant * 2 ** -24;
    return negative ? -v : v;
  }
  if (exp === 31) {
    if (mant !== 0) return NaN;
    return negative ? -Infinity : Infinity;
  }
  const v = (1024 + mant) * 2 ** (exp - 25);
  return negative ? -v : v;
}

let table: Float32Array | null = null;

function decodeTable(): Float32Array {
  if (table === null) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = fromFloat16Bits(h);
  }
  return table;
}

export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const src = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = halfFromFloatBits(src[i]);
  return out;
}

export function float16BitsToFloat32(bits: Uint16Array): Float32Array {
  const t = decodeTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < out.length; i++) out[i] = t[bits[i]];
  return out;
}
