// Re-filtering in the page with the edge's own selection rule (shared/matching selectDetections):
// a detection stays when its score reaches its class threshold, else the global one. The page asks
// the API once with threshold 0, then the slider and per-class fields re-filter with no request.
import { selectDetections } from '../../shared/matching/select.ts';
import type { MergeEntry } from '../../shared/matching/select.ts';
import type { SegmentDetection } from '../../shared/client/index.ts';

export interface Thresholds {
  score: number;
  /** Class name → threshold; absent = the global one. */
  perClass: ReadonlyMap<string, number>;
}

/** The detections that pass, best first, each with its index in the API's list. */
export function visibleDetections(detections: readonly SegmentDetection[], classes: readonly string[], t: Thresholds): { detection: SegmentDetection; index: number }[] {
  const classThresholds: Record<string, number> = {};
  classes.forEach((name, label) => {
    const v = t.perClass.get(name);
    if (v !== undefined) classThresholds[String(label)] = v;
  });
  const entries: MergeEntry[] = detections.map((d, i) => ({
    index: i,
    label: d.label,
    score: d.score,
    ios: 0,
    decay: 1,
    finalScore: d.score,
    mask: { size: d.mask.size, counts: '' },
    area: d.area,
    box: d.box,
  }));
  const kept = selectDetections(entries, { scoreThreshold: t.score, classThresholds, maxDetections: detections.length, nmsThreshold: 0.5, preMergeCap: 800, officialBoxCompat: false, zeroScoreLabel: 'first' });
  return kept.map((k) => ({ detection: detections[k.index], index: k.index }));
}
