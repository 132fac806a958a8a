// The two golden cases built around a score-0 candidate (pipeline 011 and 012, produced by the
// official post-model logic on torch 1.13 CPU): which zeroScoreLabel rules reproduce them, and
// what the others output instead. Read from this repository's copy, whatever REFSEG_GOLDEN_DIR says.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { segmentOfficial } from '../../shared/matching/index.ts';
import type { ZeroScoreLabel } from '../../shared/matching/index.ts';
import { loadCase } from './fixtures.ts';
import { officialInput } from './pipeline-input.ts';

const ROOT = resolve(import.meta.dirname, '../fixtures/golden');

function outputs(file: string): { official: number[]; by: (rule: ZeroScoreLabel) => number[]; zeroScore: number[] } {
  const c = loadCase('pipeline', file, ROOT);
  const input = officialInput(c);
  return {
    official: (c.expected.final as { index: number }[]).map((f) => f.index),
    by: (rule) => segmentOfficial(input, { zeroScoreLabel: rule }).map((d) => d.index),
    zeroScore: c.summary.zero_score_candidates,
  };
}

describe('golden cases where the label of a score-0 candidate decides the output', () => {
  it('011 (3 classes): first and torch-cpu give the official output; raw-cosine and exclude keep the suppressed object', () => {
    const o = outputs('011_zero_score_label_first.json');
    expect(o.zeroScore).toEqual([5]);
    expect(o.official).toEqual([3, 1, 4, 2]);
    expect(o.by('first')).toEqual(o.official);
    expect(o.by('torch-cpu')).toEqual(o.official);
    // The ring (5) is labelled class 2 by its raw cosines, so object 0 (class 0) survives NMS.
    expect(o.by('raw-cosine')).toEqual([3, 1, 4, 0, 2]);
    expect(o.by('exclude')).toEqual([3, 1, 4, 0, 2]);
  });

  it('012 (20 classes): only torch-cpu gives the official output', () => {
    const o = outputs('012_zero_score_label_torch_cpu_20_classes.json');
    expect(o.zeroScore).toEqual([5, 6]);
    expect(o.official).toEqual([1, 4, 2, 3]);
    expect(o.by('torch-cpu')).toEqual(o.official);
    // first labels both rings class 0: object 1 (class 0) is suppressed instead of object 0 (class 12).
    expect(o.by('first')).toEqual([0, 4, 2, 3]);
    expect(o.by('raw-cosine')).toEqual([0, 1, 4, 2, 3]);
    expect(o.by('exclude')).toEqual([0, 1, 4, 2, 3]);
  });
});
