// Structure of one resampling axis that the sparse mask renderer walks: outputs that read the same
// input window (a group), and which outputs can see a given input cell.
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
  return { axis, groupOf, first: Int32Array.from(first), reachFirst, reachLast };
}
