// The property checked: for every mask with foreground, COCO's own reading of the polygons
// (annToRle: pycocotools' rasteriser on each polygon, parts united) gives back exactly the input
// RLE, counts string for counts string; every polygon has at least 4 points (so COCO takes the
// list as polygons); and there is one polygon per 4-connected foreground component.
import { describe, expect, it } from 'vitest';
import { encodeMask } from './codec.ts';
import { rleToPolygons } from './contours.ts';
import { annToRle } from './segmentation.ts';
import { blobMask, components4, noiseMask, rng } from './testing.ts';

function fromRows(rows: string[]): { mask: Uint8Array; h: number; w: number } {
  const h = rows.length;
  const w = rows[0].length;
  const mask = new Uint8Array(h * w);
  rows.forEach((r, y) => [...r].forEach((c, x) => (mask[y * w + x] = c === '#' ? 1 : 0)));
  return { mask, h, w };
}

function expectRoundTrip(mask: Uint8Array, h: number, w: number, what: string): number[][] {
  const rle = encodeMask(mask, h, w);
  const polygons = rleToPolygons(rle);
  expect(polygons.length, `${what}: polygons`).toBe(components4(mask, h, w));
  for (const p of polygons) expect(p.length, `${what}: polygon length`).toBeGreaterThanOrEqual(8);
  // No foreground, no polygon: COCO (and annToRle) cannot read an empty polygon list.
  if (polygons.length > 0) expect(annToRle(polygons, h, w).counts, what).toBe(rle.counts);
  return polygons;
}

const SHAPES: Record<string, string[]> = {
  'single pixel': ['....', '..#.', '....'],
  'full image': ['###', '###'],
  ring: ['#####', '#...#', '#.#.#', '#...#', '#####'],
  'nested rings with an island': [
    '#########',
    '#.......#',
    '#.#####.#',
    '#.#...#.#',
    '#.#.#.#.#',
    '#.#...#.#',
    '#.#####.#',
    '#.......#',
    '#########',
  ],
  'diagonal touch': ['#.', '.#'],
  'ring broken at a corner': ['####.', '#..#.', '#...#', '#####'],
  'two holes under each other and side by side': ['#######', '#.#.#.#', '#######', '#.###.#', '#######'],
  'border touching comb': ['#.#.#', '#####', '#.#.#'],
  checkerboard: ['#.#.#', '.#.#.', '#.#.#', '.#.#.'],
};

describe('rleToPolygons', () => {
  it.each(Object.entries(SHAPES))('round-trips %s through annToRle', (name, rows) => {
    const { mask, h, w } = fromRows(rows);
    expectRoundTrip(mask, h, w, name);
  });

  it('gives the four pixel corners for one pixel', () => {
    const { mask, h, w } = fromRows(SHAPES['single pixel']);
    expect(rleToPolygons(encodeMask(mask, h, w))).toEqual([[2, 1, 3, 1, 3, 2, 2, 2]]);
  });

  it('joins a hole with a cut through pixel centres', () => {
    const { mask, h, w } = fromRows(['###', '#.#', '###']);
    // Outer square, down the cut at x = 1.5 to the hole, round it, back up.
    expect(rleToPolygons(encodeMask(mask, h, w))).toEqual([
      [0, 0, 1.5, 0, 1.5, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1.5, 1, 1.5, 0, 3, 0, 3, 3, 0, 3],
    ]);
  });

  it('gives [] for an empty mask', () => {
    expect(rleToPolygons(encodeMask(new Uint8Array(12), 3, 4))).toEqual([]);
  });

  it('round-trips random blobs with holes and random noise', () => {
    const rand = rng(31);
    for (const [h, w] of [[1, 1], [1, 12], [12, 1], [20, 30], [64, 48], [101, 77]]) {
      for (let trial = 0; trial < 4; trial++) {
        expectRoundTrip(blobMask(h, w, rand), h, w, `blob ${h}x${w} #${trial}`);
        expectRoundTrip(noiseMask(h, w, [0.1, 0.5, 0.7, 0.95][trial], rand), h, w, `noise ${h}x${w} #${trial}`);
      }
    }
  });

  it('round-trips a large mask', () => {
    const rand = rng(32);
    expectRoundTrip(blobMask(427, 640, rand), 427, 640, 'blob 427x640');
  });
});
