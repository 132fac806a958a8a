// The bank-dependent half after labelling, shared by both paths (method.md §3.5–§3.8): class-aware
// box NMS on 256-grid boxes ranked by SAM IoU, the pre-merge cap, the positive-score filter, full-
// resolution masks of the survivors, the semantic soft merge and the final selection.
import { batchedNms, putBox } from '../boxes.ts';
import type { BoxXyxy, Detection } from '../types.ts';
import type { FullResMask } from './fullres-mask.ts';
import type { PipelineOptions } from './options.ts';
import { selectDetections } from './select.ts';
import type { MergeEntry } from './select.ts';
import { decayedScore, semanticIos } from './soft-merge.ts';
import type { MergeInput } from './soft-merge.ts';

export interface LabelledCandidate {
  /** Index reported in traces and detections. */
  index: number;
  /** SAM predicted IoU (NMS and merge order). */
  iou: number;
  box256: BoxXyxy;
  label: number;
  score: number;
  embedding: Float32Array;
  /** The embedding's component along its label's unit prototype, when known (MergeInput.axis). */
  axis?: number;
}

export interface MatchTrace {
  /** Indices kept by NMS and the pre-merge cap, by descending IoU. */
  nmsKeep: number[];
  /** nmsKeep with score > 0, same order (official `pos_keep`). */
  posKeep: number[];
  /** posKeep minus empty full-resolution masks (deviation 3), with the merge values. */
  merge: MergeEntry[];
  detections: Detection[];
}

/**
 * `fullRes(k)` gives the full-resolution mask of candidates[k]; it is asked only for candidates
 * that pass NMS, the cap and the positive filter, so a caller can render them lazily.
 */
export function rankAndMerge(
  candidates: readonly LabelledCandidate[],
  fullRes: (k: number) => FullResMask,
  options: PipelineOptions,
): MatchTrace {
  if (options.zeroScoreLabel === 'exclude') {
    // Score-0 candidates never enter NMS, so they suppress nothing (they could never be output).
    const at = candidates.flatMap((c, k) => (c.score > 0 ? [k] : []));
    return nmsAndMerge(
      at.map((k) => candidates[k]),
      (j) => fullRes(at[j]),
      options,
    );
  }
  return nmsAndMerge(candidates, fullRes, options);
}

function nmsAndMerge(candidates: readonly LabelledCandidate[], fullRes: (k: number) => FullResMask, options: PipelineOptions): MatchTrace {
  const n = candidates.length;
  const boxes = new Float32Array(4 * n);
  const ious = new Float64Array(n);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const c = candidates[k];
    putBox(boxes, 4 * k, c.box256);
    ious[k] = c.iou;
    labels[k] = c.label;
  }
  const kept = batchedNms(boxes, ious, labels, options.nmsThreshold).subarray(0, Math.min(options.preMergeCap, n));
  const nmsKeep: number[] = [];
  const posKeep: number[] = [];
  const merging: { k: number; mask: FullResMask }[] = [];
  const inputs: MergeInput[] = [];
  for (const k of kept) {
    const c = candidates[k];
    nmsKeep.push(c.index);
    if (!(c.score > 0)) continue;
    posKeep.push(c.index);
    const mask = fullRes(k);
    if (!(mask.area > 0)) continue;
    merging.push({ k, mask });
    inputs.push({ label: c.label, embedding: c.embedding, ends: mask.ends, area: mask.area, box: mask.box, axis: c.axis });
  }
  const ios = semanticIos(inputs);
  const merge: MergeEntry[] = merging.map(({ k, mask }, m) => {
    const c = candidates[k];
    return {
      index: c.index,
      label: c.label,
      score: c.score,
      ios: ios[m],
      decay: 1 - ios[m],
      finalScore: decayedScore(c.score, ios[m]),
      mask: mask.rle,
      area: mask.area,
      box: mask.box,
    };
  });
  return {
    nmsKeep,
    posKeep,
    merge,
    detections: selectDetections(merge, options),
  };
}
