// Union / intersection of several RLEs, as pycocotools' merge (maskApi.c rleMerge).
import type { Rle } from '../types.ts';
import { countsToString } from './counts-string.ts';
import { RleFormatError } from './errors.ts';
import { cachedCounts, checkSameSize, countsTile } from './rle-counts.ts';
import { RunPairWalk } from './run-walk.ts';

/**
 * Union (or intersection) of same-size masks, walking the runs (never decoding pixels). The
 * result is the string pycocotools emits: one mask comes back re-encoded from its runs, and
 * no masks give a 0×0 RLE with empty counts, as pycocotools does.
 */
export function mergeRles(rles: readonly Rle[], intersect: boolean): Rle {
  if (rles.length === 0) return { size: [0, 0], counts: '' };
  checkSameSize(rles, 'merge');
  const [h, w] = rles[0].size;
  let acc: Uint32Array = cachedCounts(rles[0]);
  for (let i = 1; i < rles.length; i++) {
    acc = mergeCounts(acc, cachedCounts(rles[i]), intersect);
    // pycocotools' walk stops early when both inputs reach a zero-length run at the same pixel;
    // its answer is then not a mask of this size (and would hang the next step), so refuse it.
    if (!countsTile(acc, h, w)) {
      throw new RleFormatError(`merge: zero-length runs in masks 0..${i} make pycocotools' merge stop before the last pixel`);
    }
  }
  return { size: [h, w], counts: countsToString(acc) };
}

/**
 * One rleMerge step on two run lists that tile the same mask. The walk is pycocotools' own
 * (run-walk.ts), so zero-length runs in the inputs produce the same (possibly non-canonical) runs
 * as there.
 */
function mergeCounts(a: ArrayLike<number>, b: ArrayLike<number>, intersect: boolean): Uint32Array {
  // While both lists tile the same mask, every step but the last consumes a run of a or of b and
  // emits at most one run, so the buffer size also bounds the steps (else the walk could spin).
  const out = new Uint32Array(a.length + b.length + 1);
  let m = 0;
  const walk = new RunPairWalk(a, b);
  let v: boolean = false;
  let cc = 0;
  const maxSteps = out.length;
  let steps = 0;
  while (walk.left > 0) {
    if (++steps > maxSteps) throw new RleFormatError('merge: the two run lists do not cover the same number of pixels');
    cc += walk.step();
    const vp: boolean = v;
    v = intersect ? walk.va && walk.vb : walk.va || walk.vb;
    if (v !== vp || walk.left === 0) {
      out[m++] = cc;
      cc = 0;
    }
  }
  return out.subarray(0, m);
}
