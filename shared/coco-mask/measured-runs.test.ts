import { describe, expect, it } from 'vitest';
import type { Rle } from '../types.ts';
import { encodeMask, frUncompressed } from './codec.ts';
import { countsToString } from './counts-string.ts';
import { RleFormatError } from './errors.ts';
import { runEnds } from './intersect.ts';
import { countsArea, countsToBbox } from './measure.ts';
import { measuredRuns, RunArena } from './measured-runs.ts';
import { rleCounts } from './rle-counts.ts';
import { blobMask, noiseMask, rng } from './testing.ts';

/** What measuredRuns replaces: four passes. */
function threePasses(rle: Rle) {
  const runs = rleCounts(rle);
  const area = countsArea(runs);
  const [x, y, w, h] = countsToBbox(runs, rle.size[0], rle.size[1]);
  return { ends: runEnds(runs), area, box: area === 0 ? [0, 0, 0, 0] : [x, y, x + w - 1, y + h - 1] };
}

describe('measuredRuns', () => {
  it('equals rleCounts, runEnds, countsArea and countsToBbox on random masks', () => {
    const rand = rng(21);
    let seen = 0;
    for (const [h, w] of [[1, 1], [1, 40], [40, 1], [30, 50], [97, 64], [120, 160]]) {
      for (let trial = 0; trial < 8; trial++) {
        const mask = trial % 4 === 0 ? noiseMask(h, w, 0.02 + 0.1 * trial, rand) : trial === 7 ? new Uint8Array(h * w) : blobMask(h, w, rand);
        const rle = encodeMask(mask, h, w);
        const got = measuredRuns(rle);
        expect(got).toEqual(threePasses(rle));
        seen += got.area > 0 ? 1 : 0;
      }
    }
    expect(seen).toBeGreaterThan(30);
  });

  it('follows pycocotools on hand-made runs: zero-length runs, runs across columns, a full mask', () => {
    const cases: [number[], number, number][] = [
      [[0, 12], 3, 4],
      [[1, 0, 2, 5, 4], 3, 4],
      [[2, 3, 0, 0, 7], 3, 4],
      [[5, 0, 7], 3, 4],
      [[0, 0, 12], 3, 4],
      [[11, 1], 3, 4],
      [[4, 2, 100, 3, 1], 10, 11],
      // The next foreground run two columns on, and one column on at its last row.
      [[1, 1, 4, 1, 8], 3, 5],
      [[1, 1, 3, 1, 9], 3, 5],
      [[2, 1, 0, 1, 11], 3, 5],
      // Many values of more than one char (long runs, large differences).
      [[1000, 37, 2000, 1, 5000, 900, 1062], 100, 100],
      [[], 0, 5],
    ];
    for (const [counts, h, w] of cases) {
      const rle = frUncompressed(counts, h, w);
      expect(measuredRuns(rle), JSON.stringify(counts)).toEqual(threePasses(rle));
    }
  });

  it('gives the run ends as a fresh array', () => {
    const rle = frUncompressed([2, 3, 7], 3, 4);
    const a = measuredRuns(rle).ends;
    a[0] = 99;
    expect(Array.from(measuredRuns(rle).ends)).toEqual([2, 5, 12]);
  });

  it('refuses what rleCounts refuses, with its message', () => {
    const bad: Rle[] = [
      { size: [3, 4], counts: countsToString([2, 3]) }, // covers 5 of 12 pixels
      { size: [3, 4], counts: countsToString([2, 3, 9]) }, // covers 14
      { size: [3, 4], counts: '1~' }, // character outside '0'..'o'
      { size: [3, 4], counts: 'o' }, // ends inside a value
      { size: [3, 4], counts: 'ooooooo1' }, // value longer than 7 chars
      { size: [3, 4], counts: '0H' }, // second count negative
      { size: [3, -4], counts: '' },
      { size: [3], counts: '' } as unknown as Rle,
    ];
    for (const rle of bad) {
      let message = '';
      try {
        rleCounts(rle);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message, JSON.stringify(rle)).not.toBe('');
      expect(() => measuredRuns(rle), JSON.stringify(rle)).toThrow(RleFormatError);
      expect(() => measuredRuns(rle)).toThrow(message);
    }
  });
});

describe('measuredRuns on masks past int32 positions', () => {
  it('refuses a mask of more than 2^31 − 1 pixels (valid for pycocotools, not for the walks)', () => {
    const rle = frUncompressed([65535 * 32769], 65535, 32769);
    expect(rleCounts(rle)).toEqual(Uint32Array.of(65535 * 32769));
    expect(() => measuredRuns(rle)).toThrow(/more than 2147483647 pixels/);
    expect(measuredRuns(frUncompressed([0, 65535 * 32767], 65535, 32767)).area).toBe(65535 * 32767);
  });
});

describe('RunArena', () => {
  it('holds the same run ends as fresh arrays, in views that stay valid when it moves to a new chunk', () => {
    const rand = rng(8);
    // Noise masks of 200×200 have ~20 000 runs each: four of them fill more than one chunk.
    const rles = Array.from({ length: 8 }, (_, i) => encodeMask(i % 2 ? noiseMask(200, 200, 0.5, rand) : blobMask(200, 200, rand), 200, 200));
    const arena = new RunArena();
    const views = rles.map((rle) => measuredRuns(rle, arena));
    expect(new Set(views.map((v) => v.ends.buffer)).size).toBeGreaterThan(1);
    expect(views).toEqual(rles.map((rle) => measuredRuns(rle)));
  });

  it('after a rewind, reuses its chunks for the same results (the earlier views are overwritten)', () => {
    const rand = rng(9);
    const rles = Array.from({ length: 8 }, (_, i) => encodeMask(i % 2 ? noiseMask(200, 200, 0.5, rand) : blobMask(200, 200, rand), 200, 200));
    const arena = new RunArena();
    const first = rles.map((rle) => measuredRuns(rle, arena).ends.buffer);
    arena.rewind();
    // Reversed: other masks land in the same chunks, and a big one may need a chunk of its own.
    const again = [...rles].reverse().map((rle) => measuredRuns(rle, arena));
    expect(again).toEqual([...rles].reverse().map((rle) => measuredRuns(rle)));
    expect(again.some((v) => first.includes(v.ends.buffer as ArrayBuffer))).toBe(true);
    arena.rewind();
    expect(measuredRuns(rles[0], arena).ends.buffer).toBe(first[0]);
  });
});
