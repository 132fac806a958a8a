// Final selection (method.md §3.8): the best detections by decayed score, descending. Thresholds
// are refseg options (the official code has none; their defaults keep everything).
import { cocoBoxFromInclusive, orderByScoreDesc } from '../boxes.ts';
import type { BoxXyxy, Detection, Rle } from '../types.ts';
import type { PipelineOptions } from './options.ts';

export interface MergeEntry {
  /** Index of the candidate in its input (proposal or candidate-set order). */
  index: number;
  label: number;
  /** Semantic score before the merge. */
  score: number;
  ios: number;
  /** 1 − ios. */
  decay: number;
  /** score · sqrt(decay). */
  finalScore: number;
  mask: Rle;
  area: number;
  /** Inclusive box at original resolution. */
  box: BoxXyxy;
}

/**
 * Entries at or above their class threshold (classThresholds[label], else scoreThreshold), stably
 * sorted by final score, descending (ties keep the merge order), cut to maxDetections.
 */
export function selectDetections(entries: readonly MergeEntry[], options: PipelineOptions): Detection[] {
  const thresholds = options.classThresholds ?? {};
  const passing = entries.filter((e) => e.finalScore >= (thresholds[String(e.label)] ?? options.scoreThreshold));
  // Passing scores are not NaN (NaN ≥ anything is false), as orderByScoreDesc needs.
  const order = orderByScoreDesc(passing.map((e) => e.finalScore));
  return Array.from(order.subarray(0, Math.min(options.maxDetections, order.length)), (k) => {
    const e = passing[k];
    return {
      label: e.label,
      score: e.finalScore,
      box: e.box,
      bbox: cocoBoxFromInclusive(e.box, options.officialBoxCompat),
      area: e.area,
      mask: e.mask,
      index: e.index,
    };
  });
}
