import { describe, expect, it } from 'vitest';
import { bilinearAaAxis } from '../resample/index.ts';
import { axisGroups } from './axis-groups.ts';

const IN = 256;

describe('axis groups', () => {
  for (const outSize of [1, 7, 37, 100, 255, 256, 257, 480, 640, 2000]) {
    it(`describe the windows of a 256 → ${outSize} axis`, () => {
      const axis = bilinearAaAxis(IN, outSize);
      const g = axisGroups(axis, IN);
      const groups = g.first.length - 1;
      expect(g.first[0]).toBe(0);
      expect(g.first[groups]).toBe(outSize);
      const start = (k: number) => axis.start[g.first[k]];
      const end = (k: number) => start(k) + axis.size[g.first[k]];
      for (let o = 0; o < outSize; o++) {
        const k = g.groupOf[o];
        expect(g.first[k] <= o && o < g.first[k + 1]).toBe(true);
        expect([axis.start[o], axis.size[o]]).toEqual([start(k), axis.size[g.first[k]]]);
      }
      for (let l = 0; l < IN; l++) {
        const reading = Array.from({ length: outSize }, (_, o) => o).filter((o) => axis.start[o] <= l && l < axis.start[o] + axis.size[o]);
        expect([g.reachFirst[l], g.reachLast[l]]).toEqual([reading[0], reading[reading.length - 1]]);
      }
      // Range tables against the definition, on every range of input cells of a few lengths.
      for (const length of [1, 2, 3, 17, 256]) {
        for (let r0 = 0; r0 + length <= IN; r0++) {
          const r1 = r0 + length;
          const meet: number[] = [];
          const inside: number[] = [];
          for (let k = 0; k < groups; k++) {
            if (start(k) < r1 && end(k) > r0) meet.push(k);
            if (start(k) >= r0 && end(k) <= r1) inside.push(k);
          }
          const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
          expect(range(g.endsBy[r0], g.startsBefore[r1]), `meet ${r0}…${r1}`).toEqual(meet);
          expect(range(g.startsBefore[r0], g.endsBy[r1]), `inside ${r0}…${r1}`).toEqual(inside);
        }
      }
    });
  }

  it('refuses an axis whose windows move back', () => {
    const axis = { start: Int32Array.of(0, 2, 1), size: Int32Array.of(2, 2, 255), weights: new Float32Array(3 * 255), maxSize: 255 };
    expect(() => axisGroups(axis, IN)).toThrow(/windows move back/);
  });
});
