import { describe, expect, it } from 'vitest';
import { RunPairWalk } from './run-walk.ts';

/** Every stretch the walk covers: [length, a inside, b inside]. */
function stretches(a: number[], b: number[]): [number, boolean, boolean][] {
  const walk = new RunPairWalk(Uint32Array.from(a), Uint32Array.from(b));
  const out: [number, boolean, boolean][] = [];
  while (walk.left > 0) {
    const [va, vb] = [walk.va, walk.vb];
    out.push([walk.step(), va, vb]);
  }
  return out;
}

describe('RunPairWalk', () => {
  it('splits two masks into the stretches where neither changes value', () => {
    // 1×5: a = pixels 2..4, b = pixels 1..2.
    expect(stretches([2, 3], [1, 2, 2])).toEqual([
      [1, false, false],
      [1, false, true],
      [1, true, true],
      [2, true, false],
    ]);
  });

  it('stops where pycocotools stops: both lists at a zero-length run on the same pixel', () => {
    // 1×5 empty masks written as [2, 0, 3]: the walk ends after 2 of the 5 pixels.
    expect(stretches([2, 0, 3], [2, 0, 3])).toEqual([[2, false, false]]);
  });

  it('covers nothing for two empty run lists', () => {
    expect(stretches([], [])).toEqual([[0, false, false]]);
  });
});
