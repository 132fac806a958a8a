// IoU matrices exactly as pycocotools' maskUtils.iou (maskApi.c rleIou / bbIou): rows are
// detections, columns ground truths; for a crowd ground truth the denominator is the
// detection's area alone (intersection over detection).
import type { CocoBox, Rle } from '../types.ts';
import { MaskSizeMismatchError } from './errors.ts';
import { countsArea, countsToBbox } from './measure.ts';
import { cachedCounts } from './rle-counts.ts';
import { RunPairWalk } from './run-walk.ts';

export type CrowdFlags = readonly boolean[] | readonly number[];

function checkFlags(iscrowd: CrowdFlags, n: number): void {
  // A programming error (parallel arrays out of step), not bad data: pycocotools reads past the end.
  if (iscrowd.length !== n) throw new RangeError(`iscrowd has ${iscrowd.length} flags for ${n} ground truths`);
}

/** Box IoU as bbIou: intersection width or height <= 0 gives 0 (so do zero-size boxes). */
function boxIou(d: CocoBox, g: CocoBox, crowd: boolean): number {
  const iw = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0]);
  if (iw <= 0) return 0;
  const ih = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1]);
  if (ih <= 0) return 0;
  const i = iw * ih;
  const da = d[2] * d[3];
  return i / (crowd ? da : da + g[2] * g[3] - i);
}

/** IoU of COCO boxes [x, y, w, h]; empty dt or gt gives [] (as pycocotools). */
export function bboxIou(dt: readonly CocoBox[], gt: readonly CocoBox[], iscrowd: CrowdFlags): number[][] {
  if (dt.length === 0 || gt.length === 0) return [];
  checkFlags(iscrowd, gt.length);
  return dt.map((d) => gt.map((g, j) => boxIou(d, g, Boolean(iscrowd[j]))));
}

/** IoU of masks; empty dt or gt gives [] (as pycocotools). */
export function rleIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd: CrowdFlags): number[][] {
  if (dt.length === 0 || gt.length === 0) return [];
  checkFlags(iscrowd, gt.length);
  const gtRuns = gt.map((g) => cachedCounts(g));
  const gtBoxes = gt.map((g, j) => countsToBbox(gtRuns[j], g.size[0], g.size[1]));
  return dt.map((d) => {
    const runs = cachedCounts(d);
    const box = countsToBbox(runs, d.size[0], d.size[1]);
    return gt.map((g, j) => {
      const crowd = Boolean(iscrowd[j]);
      // pycocotools walks the runs only where the boxes overlap.
      if (!(boxIou(box, gtBoxes[j], crowd) > 0)) return 0;
      if (d.size[0] !== g.size[0] || d.size[1] !== g.size[1]) {
        throw new MaskSizeMismatchError(`iou: detection is ${d.size[0]}×${d.size[1]}, ground truth ${j} is ${g.size[0]}×${g.size[1]} (h×w)`);
      }
      return runsIou(runs, gtRuns[j], crowd);
    });
  });
}

/** rleIou's own walk (run-walk.ts). */
function runsIou(a: Uint32Array, b: Uint32Array, crowd: boolean): number {
  const walk = new RunPairWalk(a, b);
  let inter = 0;
  let union = 0;
  while (walk.left > 0) {
    const va = walk.va;
    const vb = walk.vb;
    const c = walk.step();
    if (va || vb) {
      union += c;
      if (va && vb) inter += c;
    }
  }
  if (inter === 0) return 0;
  return inter / (crowd ? countsArea(a) : union);
}
