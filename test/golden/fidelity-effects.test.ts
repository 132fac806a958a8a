// The measured effects that docs/fidelity.md quotes, recomputed from the golden fixtures so the
// page cannot drift from the code: the ±32 logit clamp (§2) and the COCO box convention (§4).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCocoEval } from '../../shared/coco-eval/index.ts';
import type { CocoResult } from '../../shared/coco-eval/index.ts';
import { rleToBbox } from '../../shared/coco-mask/index.ts';
import { segmentOfficial } from '../../shared/matching/index.ts';
import type { Rle } from '../../shared/types.ts';
import { loadCase } from './fixtures.ts';
import { officialInput } from './pipeline-input.ts';

const ROOT = resolve(import.meta.dirname, '../fixtures/golden');

/** Detections with the case's logits scaled, unclamped vs clamped to ±32 as samexporter's decoder does. */
function clampEffect(file: string, scale: number) {
  const base = officialInput(loadCase('pipeline', file, ROOT));
  const raw = Float32Array.from(base.lowResLogits as Int8Array, (v) => (v / 16) * scale);
  const clamped = raw.map((v) => Math.max(-32, Math.min(32, v)));
  const a = segmentOfficial({ ...base, lowResLogits: raw }, { zeroScoreLabel: 'torch-cpu' });
  const b = segmentOfficial({ ...base, lowResLogits: clamped }, { zeroScoreLabel: 'torch-cpu' });
  const other = new Map(b.map((d) => [d.index, d]));
  return {
    beyond: raw.filter((v) => Math.abs(v) > 32).length / raw.length,
    detections: [a.length, b.length],
    sameOrder: a.map((d) => d.index).join() === b.map((d) => d.index).join(),
    identicalMasks: a.filter((d) => other.get(d.index)?.mask.counts === d.mask.counts).length,
    labelsMoved: a.filter((d) => other.get(d.index)?.label !== d.label).length,
    maxScoreChange: Math.max(0, ...a.map((d) => Math.abs(d.score - (other.get(d.index)?.score ?? Number.NaN)))),
  };
}

describe('docs/fidelity.md §2: clamping the mask logits to ±32', () => {
  it('changes nothing while the logits stay inside, and full-resolution masks and scores once they do', () => {
    const x1 = clampEffect('001_typical_480x640.json', 1);
    expect(x1).toEqual({ beyond: 0, detections: [32, 32], sameOrder: true, identicalMasks: 32, labelsMoved: 0, maxScoreChange: 0 });
    const x30 = clampEffect('001_typical_480x640.json', 30);
    expect(x30).toMatchObject({ detections: [32, 32], sameOrder: true, identicalMasks: 22, labelsMoved: 0 });
    expect(x30.beyond).toBeCloseTo(0.984, 3);
    expect(x30.maxScoreChange).toBeCloseTo(5.4e-4, 5);
    const x100 = clampEffect('001_typical_480x640.json', 100);
    expect(x100).toMatchObject({ identicalMasks: 7, labelsMoved: 0 });
    expect(x100.maxScoreChange).toBeCloseTo(2.4e-3, 4);
    const other = clampEffect('004_class_without_candidates.json', 100);
    expect(other).toMatchObject({ detections: [21, 21], sameOrder: false, identicalMasks: 4, labelsMoved: 0 });
    expect(other.maxScoreChange).toBeCloseTo(1.1e-2, 3);
  });
});

describe('docs/fidelity.md §4: the COCO box convention', () => {
  function stats(file: string) {
    const c = loadCase('cocoeval', file, ROOT);
    const given = c.input.results as CocoResult[];
    // The official-like results carry one-pixel-short boxes; the true extent is the mask's own.
    const shortBy = given.filter((r) => r.bbox && r.segmentation).map((r) => {
      const t = rleToBbox(r.segmentation as Rle);
      return [t[2] - r.bbox![2], t[3] - r.bbox![3]].join();
    });
    const truth = given.map((r) => (r.bbox && r.segmentation ? { ...r, bbox: rleToBbox(r.segmentation as Rle) } : r));
    const run = (res: CocoResult[]) => ({ bbox: runCocoEval(c.input.gt, res, 'bbox').stats, segm: runCocoEval(c.input.gt, res, 'segm').stats });
    return { shortBy: new Set(shortBy), official: run(given), trueExtent: run(truth) };
  }

  it('moves bbox AP either way, and segm AP through the area ranges', () => {
    const a = stats('001_official_like_full.json');
    expect(a.shortBy).toEqual(new Set(['1,1']));
    expect(a.official.bbox[0]).toBeCloseTo(0.2893, 4);
    expect(a.trueExtent.bbox[0]).toBeCloseTo(0.2871, 4);
    const b = stats('005_area_ranges_crowd.json');
    expect(b.shortBy).toEqual(new Set(['1,1']));
    expect([b.official.bbox[0], b.official.bbox[1], b.official.bbox[3], b.official.segm[4]].map((x) => x.toFixed(4))).toEqual(['0.3095', '0.4463', '0.1233', '0.2966']);
    expect([b.trueExtent.bbox[0], b.trueExtent.bbox[1], b.trueExtent.bbox[3], b.trueExtent.segm[4]].map((x) => x.toFixed(4))).toEqual(['0.3120', '0.4845', '0.1306', '0.2744']);
  });
});
