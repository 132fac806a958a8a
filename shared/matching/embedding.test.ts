import { describe, expect, it } from 'vitest';
import { seededRandom, writeBlobLogits } from '../../test/bench/synthetic.ts';
import { createMaskPooler } from './embedding.ts';
import type { PatchFeatures } from './embedding.ts';
import { LOW_RES, scanLowResMask } from './low-res-mask.ts';

const PLANE = LOW_RES * LOW_RES;

/**
 * Reference straight from the definition: upsample every channel to 256×256 with half-pixel
 * bilinear and edge clamping (method.md §7.3 rule 3, the form antialias takes when upsampling),
 * average over the mask, divide by max(norm, 1e-12).
 */
function reference(features: PatchFeatures, plane: Float32Array): Float64Array {
  const { data, rows, cols, dim } = features;
  const taps = (inSize: number, o: number): [number, number, number] => {
    const src = Math.max(((o + 0.5) * inSize) / LOW_RES - 0.5, 0);
    const i0 = Math.floor(src);
    return [i0, Math.min(i0 + 1, inSize - 1), src - i0];
  };
  const sum = new Float64Array(dim);
  let count = 0;
  for (let y = 0; y < LOW_RES; y++) {
    const [a0, a1, ly] = taps(rows, y);
    for (let x = 0; x < LOW_RES; x++) {
      if (!(plane[y * LOW_RES + x] > 0)) continue;
      count++;
      const [b0, b1, lx] = taps(cols, x);
      for (let k = 0; k < dim; k++) {
        const f = (a: number, b: number) => data[(a * cols + b) * dim + k];
        sum[k] += (1 - ly) * ((1 - lx) * f(a0, b0) + lx * f(a0, b1)) + ly * ((1 - lx) * f(a1, b0) + lx * f(a1, b1));
      }
    }
  }
  const mean = sum.map((v) => v / count);
  const norm = Math.sqrt(mean.reduce((s, v) => s + v * v, 0));
  return mean.map((v) => v / Math.max(norm, 1e-12));
}

function randomFeatures(rows: number, cols: number, dim: number, seed: number): PatchFeatures {
  const rand = seededRandom(seed);
  return { data: Float32Array.from({ length: rows * cols * dim }, () => rand() * 2 - 0.7), rows, cols, dim };
}

function testPlanes(): { name: string; plane: Float32Array }[] {
  const rand = seededRandom(5);
  const out: { name: string; plane: Float32Array }[] = [];
  for (const r of [0.8, 3, 12, 45, 100, 200]) {
    const plane = new Float32Array(PLANE);
    writeBlobLogits(plane, 0, { cx: rand() * 256, cy: rand() * 256, rx: r, ry: r * (0.4 + rand()), angle: rand() * 3, wobble: 0.25, lobes: 4 });
    out.push({ name: `blob r=${r}`, plane });
  }
  out.push({ name: 'all positive', plane: new Float32Array(PLANE).fill(1) });
  const corners = new Float32Array(PLANE).fill(-1);
  corners[0] = 1;
  corners[PLANE - 1] = 1;
  out.push({ name: 'two corner cells', plane: corners });
  const ring = new Float32Array(PLANE).fill(-1);
  for (let y = 0; y < LOW_RES; y++) {
    for (let x = 0; x < LOW_RES; x++) {
      const d = Math.hypot(x - 120, y - 140);
      if (d > 50 && d < 90) ring[y * LOW_RES + x] = 1;
    }
  }
  out.push({ name: 'ring with a hole', plane: ring });
  out.push({ name: 'noise', plane: Float32Array.from({ length: PLANE }, () => rand() - 0.3) });
  return out;
}

describe('mask embeddings', () => {
  const planes = testPlanes();
  const logits = new Float32Array(planes.length * PLANE);
  planes.forEach((p, i) => logits.set(p.plane, i * PLANE));

  for (const [rows, cols, dim] of [
    [37, 37, 12],
    [5, 9, 3],
    [1, 1, 4],
  ]) {
    it(`equal the mean of upsampled features (${rows}×${cols}×${dim})`, () => {
      const features = randomFeatures(rows, cols, dim, rows * 100 + cols);
      const pooler = createMaskPooler(features);
      expect(pooler.dim).toBe(dim);
      planes.forEach((p, i) => {
        const got = pooler.embed(scanLowResMask(logits, i));
        expect(got, p.name).toBeInstanceOf(Float32Array);
        const want = reference(features, p.plane);
        for (let k = 0; k < dim; k++) expect(got![k], `${p.name}[${k}]`).toBeCloseTo(want[k], 6);
      });
    });
  }

  it('has no embedding for an empty mask', () => {
    const pooler = createMaskPooler(randomFeatures(37, 37, 4, 1));
    const empty = new Float32Array(PLANE).fill(-3);
    expect(pooler.embed(scanLowResMask(empty, 0))).toBeNull();
  });

  it('gives a zero vector, not NaN, when the features average to zero', () => {
    const pooler = createMaskPooler({ data: new Float32Array(37 * 37 * 3), rows: 37, cols: 37, dim: 3 });
    expect(Array.from(pooler.embed(scanLowResMask(planes[3].plane, 0))!)).toEqual([0, 0, 0]);
  });

  it('refuses features whose size does not match their shape', () => {
    expect(() => createMaskPooler({ data: new Float32Array(10), rows: 37, cols: 37, dim: 3 })).toThrow(/features have 10 values/);
  });
});
