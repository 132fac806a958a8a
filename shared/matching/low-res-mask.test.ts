import { describe, expect, it } from 'vitest';
import { maskToBoxInclusive } from '../boxes.ts';
import { seededRandom, writeBlobLogits } from '../../test/bench/synthetic.ts';
import { LOW_RES, proposalCount, scanLowResMask } from './low-res-mask.ts';

const PLANE = LOW_RES * LOW_RES;

function planes(): Float32Array {
  const rand = seededRandom(3);
  const out = new Float32Array(6 * PLANE);
  writeBlobLogits(out, 0, { cx: 100, cy: 80, rx: 40, ry: 20, angle: 0.3, wobble: 0.2, lobes: 5 });
  out.fill(-1, PLANE, 2 * PLANE); // empty
  out.fill(2, 2 * PLANE, 3 * PLANE); // full
  for (let i = 3 * PLANE; i < 4 * PLANE; i++) out[i] = rand() - 0.5; // noise
  out.fill(-1, 4 * PLANE, 5 * PLANE);
  out[4 * PLANE + 255] = 1; // last cell of the first row
  out[4 * PLANE + 200 * LOW_RES] = 0; // zeros are not positive
  // Rows that are all zero or mix zeros and negatives (no sign-word shortcut).
  out.fill(-3, 5 * PLANE, 6 * PLANE);
  out.fill(0, 5 * PLANE + 10 * LOW_RES, 5 * PLANE + 12 * LOW_RES);
  out[5 * PLANE + 11 * LOW_RES + 7] = 0.5;
  return out;
}

/** Runs, area and box straight from the cells. */
function dense(values: ArrayLike<number>, i: number) {
  const bits = new Uint8Array(PLANE);
  const runs: number[] = [];
  for (let y = 0; y < LOW_RES; y++) {
    for (let x = 0; x < LOW_RES; x++) {
      const on = values[i * PLANE + y * LOW_RES + x] > 0;
      bits[y * LOW_RES + x] = on ? 1 : 0;
      if (on && (x === 0 || !(values[i * PLANE + y * LOW_RES + x - 1] > 0))) runs.push(y, x, x + 1);
      else if (on) runs[runs.length - 1]++;
    }
  }
  return { area: bits.reduce((a, b) => a + b, 0), box: maskToBoxInclusive(bits, LOW_RES, LOW_RES), runs };
}

describe('low-res mask scan', () => {
  const f32 = planes();
  const i8 = Int8Array.from(f32, (v) => Math.max(-128, Math.min(127, Math.round(v * 16))));
  // The same int8 values at an odd byte offset, where the word view cannot be used.
  const unaligned = new Int8Array(new ArrayBuffer(i8.length + 1), 1, i8.length);
  unaligned.set(i8);

  for (const [name, logits] of [
    ['float32', f32],
    ['int8', i8],
    ['int8 unaligned', unaligned],
  ] as const) {
    it(`finds runs, area and box of logit > 0 (${name})`, () => {
      expect(proposalCount(logits)).toBe(6);
      for (let i = 0; i < 6; i++) {
        const want = dense(logits, i);
        const got = scanLowResMask(logits, i);
        expect(got.index).toBe(i);
        expect(got.area, `mask ${i}`).toBe(want.area);
        expect(got.box, `mask ${i}`).toEqual(want.box);
        expect(Array.from(got.runs), `mask ${i}`).toEqual(want.runs);
      }
    });
  }

  it('reads every cell whose sign bit is clear: zeros, NaNs, infinities, subnormals, chunk edges', () => {
    const rand = seededRandom(8);
    const special = [0, -0, Number.NaN, -Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 2, -2];
    const f = new Float32Array(4 * PLANE).fill(-1);
    // Sparse specials anywhere, a dense patch, and single positives on both sides of every chunk edge.
    for (let i = 0; i < 3000; i++) f[Math.floor(rand() * PLANE)] = special[Math.floor(rand() * special.length)];
    for (let y = 40; y < 60; y++) for (let x = 3; x < 250; x++) f[PLANE + y * LOW_RES + x] = special[(x * y) % special.length];
    for (let x = 7; x < LOW_RES; x += 8) {
      f[2 * PLANE + x * LOW_RES + x] = 1;
      f[2 * PLANE + ((x + 1) % LOW_RES) * LOW_RES + ((x + 1) % LOW_RES)] = 1;
    }
    f.fill(1, 3 * PLANE + 5 * LOW_RES + 31, 3 * PLANE + 5 * LOW_RES + 33);
    const i8 = Int8Array.from(f, (v) => (Number.isFinite(v) ? Math.max(-128, Math.min(127, Math.round(v * 16))) : 0));
    for (const logits of [f, i8]) {
      for (let i = 0; i < 4; i++) {
        const want = dense(logits, i);
        const got = scanLowResMask(logits, i);
        expect([got.area, got.box, Array.from(got.runs)], `mask ${i}`).toEqual([want.area, want.box, want.runs]);
      }
    }
  });

  it('rejects logits that are not n×256×256 and proposals out of range', () => {
    expect(() => proposalCount(new Float32Array(PLANE + 1))).toThrow(/not a multiple of 256×256/);
    expect(() => scanLowResMask(f32, 6)).toThrow(/proposal 6 is outside/);
  });
});
