import { describe, expect, it } from 'vitest';
import { MalformedPolygonError } from '../errors.ts';
import { encodeMask, rleToUncompressed } from './codec.ts';
import { frBbox, frPoly } from './polygon.ts';
import { rng } from './testing.ts';

function rectMask(h: number, w: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(h * w);
  for (let y = Math.max(0, y0); y < Math.min(h, y1); y++) for (let x = Math.max(0, x0); x < Math.min(w, x1); x++) m[y * w + x] = 1;
  return m;
}

function randomPolygon(rand: () => number, h: number, w: number): number[] {
  const k = 3 + Math.floor(rand() * 8);
  const p: number[] = [];
  for (let i = 0; i < k; i++) p.push(Math.round(rand() * w * 100) / 100, Math.round(rand() * h * 100) / 100);
  return p;
}

describe('frPoly', () => {
  it('fills exactly the pixels of an integer rectangle, clipped to the image', () => {
    const rand = rng(21);
    const [h, w] = [25, 33];
    for (let trial = 0; trial < 50; trial++) {
      const x0 = Math.floor(rand() * (w + 10)) - 5;
      const y0 = Math.floor(rand() * (h + 10)) - 5;
      const x1 = x0 + 1 + Math.floor(rand() * 20);
      const y1 = y0 + 1 + Math.floor(rand() * 20);
      const expected = encodeMask(rectMask(h, w, x0, y0, x1, y1), h, w);
      expect(frPoly([x0, y0, x1, y0, x1, y1, x0, y1], h, w), `${x0},${y0}..${x1},${y1}`).toEqual(expected);
      expect(frBbox([x0, y0, x1 - x0, y1 - y0], h, w)).toEqual(expected);
    }
  });

  it('does not depend on the direction or the starting vertex of the polygon', () => {
    const rand = rng(22);
    const [h, w] = [40, 50];
    for (let trial = 0; trial < 100; trial++) {
      const p = randomPolygon(rand, h, w);
      const rle = frPoly(p, h, w);
      const points = p.length / 2;
      const reversed: number[] = [];
      for (let i = points - 1; i >= 0; i--) reversed.push(p[2 * i], p[2 * i + 1]);
      const shift = 1 + Math.floor(rand() * (points - 1));
      const rotated = [...p.slice(2 * shift), ...p.slice(0, 2 * shift)];
      expect(frPoly(reversed, h, w)).toEqual(rle);
      expect(frPoly(rotated, h, w)).toEqual(rle);
    }
  });

  it('ignores an odd last value', () => {
    expect(frPoly([2, 2, 15, 3, 9, 16, 4], 20, 20)).toEqual(frPoly([2, 2, 15, 3, 9, 16], 20, 20));
  });

  it('gives an empty mask for fewer than two points, a line, or a polygon outside the image', () => {
    const empty = [20 * 30];
    expect(rleToUncompressed(frPoly([], 20, 30))).toEqual(empty);
    expect(rleToUncompressed(frPoly([3, 4], 20, 30))).toEqual(empty);
    expect(rleToUncompressed(frPoly([3, 4, 9, 12], 20, 30))).toEqual(empty);
    expect(rleToUncompressed(frPoly([-20, -20, -5, -20, -5, -5], 20, 30))).toEqual(empty);
    expect(rleToUncompressed(frPoly([40, 3, 50, 3, 50, 15], 20, 30))).toEqual(empty);
  });

  it('refuses non-finite coordinates and coordinates beyond C int range', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1e12, -5e8]) {
      expect(() => frPoly([0, 0, 5, 0, bad, 5], 10, 10)).toThrow(MalformedPolygonError);
    }
  });

  it('matches the sample-by-sample walk of rleFrPoly, also for edges far outside the image', () => {
    const rand = rng(23);
    for (let trial = 0; trial < 300; trial++) {
      const h = 1 + Math.floor(rand() * 30);
      const w = 1 + Math.floor(rand() * 30);
      const spread = [1, 3, 40][trial % 3];
      const k = 3 + Math.floor(rand() * 9);
      const p: number[] = [];
      for (let i = 0; i < 2 * k; i++) {
        const side = i % 2 === 0 ? w : h;
        // Integers, halves and arbitrary values, inside and far outside the image, repeated vertices too.
        const v = (rand() - 0.5) * side * spread + side / 2;
        p.push(trial % 5 === 0 ? Math.round(v) : trial % 5 === 1 ? Math.round(v * 2) / 2 : v);
      }
      if (trial % 7 === 0) p.push(p[0], p[1]);
      expect(frPoly(p, h, w), JSON.stringify({ p, h, w })).toEqual(walkedFrPoly(p, h, w));
    }
  });

  it('folds very many toggles into a parity set with the same result', () => {
    // A zigzag across the image: ~600 edges × 100 column crossings > the 65 536 toggles kept as a list.
    const [h, w] = [80, 100];
    const p: number[] = [];
    for (let i = 0; i < 600; i++) p.push(i % 2 === 0 ? -3.3 : w + 2.7, (i * h) / 600 + (i % 3) * 0.37);
    expect(frPoly(p, h, w)).toEqual(walkedFrPoly(p, h, w));
  });

  it('rasterises polygons with coordinates of 2.6e7 as fast as small ones, to the right mask', () => {
    const [h, w] = [60, 80];
    const big = 2.6e7;
    // Same mask as the small polygon of the same shape: a rectangle past the image, a 45° triangle.
    expect(frPoly([3, 4, big, 4, big, big, 3, big], h, w)).toEqual(frPoly([3, 4, w + 9, 4, w + 9, h + 9, 3, h + 9], h, w));
    expect(frPoly([-big, -big, big, big, -big, big], h, w)).toEqual(frPoly([-100, -100, 200, 200, -100, 200], h, w));
    // The input: tiny polygons far away cost nothing and cover nothing.
    const far = Array.from({ length: 9 }, (_, i) => [big + i, big, big + i + 1, big, big + i, big + 1]);
    for (const q of far) expect(rleToUncompressed(frPoly(q, h, w))).toEqual([h * w]);
    // A steep (y-major) edge from y = -2.6e7 to 2.6e7: inside the image it is x = 20.0000x, so the
    // polygon left of it covers columns 0..19, like the rectangle.
    expect(frPoly([0, -big, w / 2, big, 0, big], h, w)).toEqual(frPoly([0, -10, 20, -10, 20, h + 10, 0, h + 10], h, w));
  });
});

/**
 * rleFrPoly sample by sample (the reference the clipped walk must match): every upsampled
 * boundary sample, every step between consecutive samples.
 */
function walkedFrPoly(polygon: number[], h: number, w: number): ReturnType<typeof frPoly> {
  const k = Math.floor(polygon.length / 2);
  const cInt = (v: number) => {
    const t = Math.trunc(v);
    return t >= -2147483648 && t <= 2147483647 ? t : -2147483648;
  };
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(Math.trunc(5 * polygon[2 * j] + 0.5));
    y.push(Math.trunc(5 * polygon[2 * j + 1] + 0.5));
  }
  x.push(x[0]);
  y.push(y[0]);
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let [xs, xe, ys, ye] = [x[j], x[j + 1], y[j], y[j + 1]];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) [xs, xe, ys, ye] = [xe, xs, ye, ys];
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(cInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(cInt(xs + s * t + 0.5));
      }
    }
  }
  const mask = new Uint8Array(h * w);
  const toggles: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    const xd = ((u[j] < u[j - 1] ? u[j] : u[j] - 1) + 0.5) / 5 - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > w - 1) continue;
    const yd = Math.ceil(Math.min(h, Math.max(0, ((v[j] < v[j - 1] ? v[j] : v[j - 1]) + 0.5) / 5 - 0.5)));
    toggles.push(xd * h + yd);
  }
  // Each toggle flips every position from it to the end of the column-major order.
  const flips = new Int32Array(h * w + 1);
  for (const t of toggles) flips[t] ^= 1;
  let on = 0;
  for (let i = 0; i < h * w; i++) {
    on ^= flips[i];
    const col = Math.floor(i / h);
    mask[(i % h) * w + col] = on;
  }
  return encodeMask(mask, h, w);
}

