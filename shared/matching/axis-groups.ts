// Structure of one resampling axis that the sparse mask renderer walks: outputs that read the same
// input window (a group), which outputs can see a given input cell, and which groups meet or lie
// within a range of input cells.
import type { SpanAxis } from '../resample/index.ts';

export interface AxisGroups {
  axis: SpanAxis;
  /** Group of each output. */
  groupOf: Int32Array;
  /** Outputs of group g are first[g] … first[g+1]−1; they share start and size. */
  first: Int32Array;
  /** Outputs whose window holds input cell l are reachFirst[l] … reachLast[l] (whole groups). */
  reachFirst: Int32Array;
  reachLast: Int32Array;
  /**
   * For r = 0 … inSize: how many groups have a window that starts before r, and how many have one
   * that ends at or before r. Windows never move back from one group to the next, so the groups
   * whose window meets input cells r0 … r1−1 are endsBy[r0] … startsBefore[r1]−1, and those whose
   * window lies within them are startsBefore[r0] … endsBy[r1]−1 (none when the first is larger).
   */
  startsBefore: Int32Array;
  endsBy: Int32Array;
}

export function axisGroups(axis: SpanAxis, inSize: number): AxisGroups {
  const outSize = axis.start.length;
  const groupOf = new Int32Array(outSize);
  const first: number[] = [];
  for (let o = 0; o < outSize; o++) {
    if (o === 0 || axis.start[o] !== axis.start[o - 1] || axis.size[o] !== axis.size[o - 1]) first.push(o);
    groupOf[o] = first.length - 1;
  }
  first.push(outSize);

  const reachFirst = new Int32Array(inSize).fill(-1);
  const reachLast = new Int32Array(inSize).fill(-1);
  for (let o = 0; o < outSize; o++) {
    for (let j = 0; j < axis.size[o]; j++) {
      const l = axis.start[o] + j;
      if (reachFirst[l] < 0) reachFirst[l] = o;
      reachLast[l] = o;
    }
  }
  // Triangle windows are at least one input step wide, so every cell is read by some output.
  if (reachFirst.includes(-1)) throw new RangeError('resampling axis leaves an input cell unread');

  const groups = first.length - 1;
  const starts = Int32Array.from({ length: groups }, (_, g) => axis.start[first[g]]);
  const ends = Int32Array.from({ length: groups }, (_, g) => axis.start[first[g]] + axis.size[first[g]]);
  for (let g = 1; g < groups; g++) {
    if (starts[g] < starts[g - 1] || ends[g] < ends[g - 1]) throw new RangeError('resampling axis windows move back');
  }
  /** out[r] = groups g with key[g] < r (≤ r if `orEqual`), r = 0 … inSize. */
  const countBelow = (key: Int32Array, orEqual: boolean): Int32Array => {
    const out = new Int32Array(inSize + 1);
    let g = 0;
    for (let r = 0; r <= inSize; r++) {
      while (g < groups && (key[g] < r || (orEqual && key[g] === r))) g++;
      out[r] = g;
    }
    return out;
  };
  return {
    axis,
    groupOf,
    first: Int32Array.from(first),
    reachFirst,
    reachLast,
    startsBefore: countBelow(starts, false),
    endsBy: countBelow(ends, true),
  };
}
