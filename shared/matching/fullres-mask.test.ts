import { describe, expect, it } from 'vitest';
import { encodeMask, rleCounts, runEnds } from '../coco-mask/index.ts';
import { maskToBoxInclusive } from '../boxes.ts';
import { bilinearAaAxis, torchBilinear } from '../resample/index.ts';
import { seededRandom, writeBlobLogits } from '../../test/bench/synthetic.ts';
import { ShapeMismatchError } from './errors.ts';
import { createFullResRenderer } from './fullres-mask.ts';
import { LOW_RES, scanLowResMask } from './low-res-mask.ts';

const PLANE = LOW_RES * LOW_RES;

/** Dense reference: every output pixel resampled (width pass, then height pass) in float64. */
function denseMask(plane: Float32Array, h: number, w: number): Uint8Array {
  const ax = bilinearAaAxis(LOW_RES, w);
  const ay = bilinearAaAxis(LOW_RES, h);
  const rows = new Float64Array(LOW_RES * w);
  for (let y = 0; y < LOW_RES; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = 0; j < ax.size[x]; j++) acc += ax.weights[x * ax.maxSize + j] * plane[y * LOW_RES + ax.start[x] + j];
      rows[y * w + x] = acc;
    }
  }
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let j = 0; j < ay.size[y]; j++) acc += ay.weights[y * ay.maxSize + j] * rows[(ay.start[y] + j) * w + x];
      out[y * w + x] = acc > 0 ? 1 : 0;
    }
  }
  return out;
}

/** Test planes: blobs of several sizes and shapes, and the edge cases of the sparse walk. */
function planes(): { name: string; plane: Float32Array }[] {
  const rand = seededRandom(11);
  const out: { name: string; plane: Float32Array }[] = [];
  for (const r of [1.2, 4, 15, 60, 140]) {
    const plane = new Float32Array(PLANE);
    writeBlobLogits(plane, 0, { cx: 40 + rand() * 176, cy: 40 + rand() * 176, rx: r, ry: r * (0.5 + rand()), angle: rand() * 3, wobble: 0.2, lobes: 3 });
    out.push({ name: `blob r=${r}`, plane });
  }
  const full = new Float32Array(PLANE).fill(3);
  out.push({ name: 'all positive', plane: full });
  const corner = new Float32Array(PLANE).fill(-2);
  corner[PLANE - 1] = 5;
  out.push({ name: 'last cell only', plane: corner });
  const first = new Float32Array(PLANE).fill(-2);
  first[0] = 5;
  out.push({ name: 'first cell only', plane: first });
  const strip = new Float32Array(PLANE).fill(-4);
  for (let y = 0; y < LOW_RES; y++) for (let x = 100; x < 104; x++) strip[y * LOW_RES + x] = 4;
  out.push({ name: 'full-height strip', plane: strip });
  const band = new Float32Array(PLANE).fill(-4);
  band.fill(4, 120 * LOW_RES, 125 * LOW_RES);
  out.push({ name: 'full-width band', plane: band });
  const noise = Float32Array.from({ length: PLANE }, () => rand() * 2 - 1.2);
  out.push({ name: 'noise (many runs)', plane: noise });
  return out;
}

const SIZES: [number, number][] = [
  [480, 640],
  [120, 160],
  [180, 427],
  [256, 256],
  [1, 1],
  [700, 90],
  [255, 257],
  [37, 1000],
];

describe('full-resolution masks', () => {
  const cases = planes();
  const logits = new Float32Array(cases.length * PLANE);
  cases.forEach((c, i) => logits.set(c.plane, i * PLANE));

  for (const [h, w] of SIZES) {
    it(`match a dense resize at ${h}×${w}`, () => {
      const renderer = createFullResRenderer(h, w);
      cases.forEach((c, i) => {
        const dense = denseMask(c.plane, h, w);
        const expected = encodeMask(dense, h, w);
        const got = renderer.render(logits, scanLowResMask(logits, i));
        expect(got.rle, c.name).toEqual(expected);
        expect(renderer.renderRle(logits, scanLowResMask(logits, i)), c.name).toEqual(expected);
        expect(Array.from(got.ends), c.name).toEqual(Array.from(runEnds(rleCounts(expected))));
        expect(got.area, c.name).toBe(dense.reduce((a, b) => a + b, 0));
        expect(got.box, c.name).toEqual(maskToBoxInclusive(dense, h, w));
      });
    });
  }

  it('agrees with torch-exact float32 resizing away from zero', () => {
    const [h, w] = [333, 500];
    const renderer = createFullResRenderer(h, w);
    cases.forEach((c, i) => {
      const values = torchBilinear(c.plane, 1, LOW_RES, LOW_RES, h, w, { antialias: true });
      const got = renderer.render(logits, scanLowResMask(logits, i));
      const dense = denseMask(c.plane, h, w);
      expect(encodeMask(dense, h, w), c.name).toEqual(got.rle);
      // float64 sums may differ from torch's float32 ones only for values within rounding of 0.
      for (let p = 0; p < values.length; p++) {
        if ((values[p] > 0 ? 1 : 0) !== dense[p]) expect(Math.abs(values[p]), `${c.name} pixel ${p}`).toBeLessThan(1e-5);
      }
    });
  });

  it('refuses image sizes past int32 mask positions before allocating for them', () => {
    expect(() => createFullResRenderer(32769, 65535)).toThrow(ShapeMismatchError);
    expect(() => createFullResRenderer(32769, 65535)).toThrow(/more than 2147483647 pixels/);
    expect(() => createFullResRenderer(0, 5)).toThrow(ShapeMismatchError);
  });

  it('gives an empty mask for an empty low-res mask', () => {
    const renderer = createFullResRenderer(4, 6);
    const empty = new Float32Array(PLANE).fill(-1);
    const got = renderer.render(empty, scanLowResMask(empty, 0));
    expect(got).toEqual({ rle: { size: [4, 6], counts: encodeMask(new Uint8Array(24), 4, 6).counts }, ends: Int32Array.of(24), area: 0, box: [0, 0, 0, 0] });
  });

  it('drops a one-cell mask that vanishes when shrinking', () => {
    // A lone positive cell among strongly negative ones averages to ≤ 0 over a wide window.
    const plane = new Float32Array(PLANE).fill(-10);
    plane[128 * LOW_RES + 128] = 1;
    const got = createFullResRenderer(60, 80).render(plane, scanLowResMask(plane, 0));
    expect(got.area).toBe(0);
    expect(got.box).toEqual([0, 0, 0, 0]);
  });

  it('reads int8 logits (any positive scale) like float32 ones', () => {
    const plane = planes()[3].plane;
    const int8 = Int8Array.from(plane, (v) => Math.max(-127, Math.min(127, Math.round(v * 8))));
    const asFloat = Float32Array.from(int8, (v) => v / 8);
    const renderer = createFullResRenderer(480, 640);
    expect(renderer.render(int8, scanLowResMask(int8, 0)).rle).toEqual(renderer.render(asFloat, scanLowResMask(asFloat, 0)).rle);
  });
});
