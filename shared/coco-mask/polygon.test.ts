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

  it('refuses a polygon whose boundary walk would be absurdly long', () => {
    expect(() => frPoly([0, 0, 4e8, 0, 4e8, 4e8], 10, 10)).toThrow(MalformedPolygonError);
  });
});
