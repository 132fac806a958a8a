import { describe, expect, it } from 'vitest';
import { extractCandidates, matchCandidates, traceMatch } from '../matching/index.ts';
import type { PipelineOptionsInput } from '../matching/index.ts';
import { syntheticScene } from '../../test/bench/synthetic.ts';
import { cosineSimilarity } from './cosine.ts';
import { matchBank } from './match-bank.ts';
import { NEGATIVE_TEMPERATURE } from './negatives.ts';

const scene = syntheticScene({ proposals: 160, dim: 48, classes: 4, height: 90, width: 120, seed: 3 });
const set = extractCandidates(scene, { imageSha256: '0'.repeat(64), modelId: 'm', pipelineId: 'p' });
const noNegatives = scene.prototypes.map(() => []);

describe('matchBank without negatives', () => {
  const cases: PipelineOptionsInput[] = [
    {},
    { maxDetections: 7 },
    { classes: [1, 3], scoreThreshold: 0.2 },
    { classThresholds: { '0': 0.6 }, officialBoxCompat: true },
  ];
  for (const options of cases) {
    it(`equals matchCandidates with ${JSON.stringify(options)}`, () => {
      const expected = matchCandidates(set, scene.prototypes, options);
      expect(expected.length).toBeGreaterThan(0);
      expect(matchBank(set, { prototypes: scene.prototypes, negatives: noNegatives }, options)).toEqual(expected);
    });
  }
});

describe('matchBank with negatives', () => {
  it('damps each score by exp(−max(0, s_neg − s)/0.8) before the soft merge, labels and masks unchanged', () => {
    const all = { maxDetections: 1000 };
    const trace = traceMatch(set, scene.prototypes, all);
    // A negative of class L that is exactly one merged candidate's direction (any norm).
    const chosen = trace.merge.find((e) => e.ios === 0 && e.score < 0.95)!;
    const L = chosen.label;
    const negative = Float32Array.from(set.candidates[chosen.index].embedding, (v) => 3 * v);
    const negatives = scene.prototypes.map((_, c) => (c === L ? [negative] : []));

    const damped = matchBank(set, { prototypes: scene.prototypes, negatives }, all);
    expect(damped).toHaveLength(trace.merge.length);
    const byIndex = new Map(damped.map((d) => [d.index, d]));
    let changed = 0;
    for (const e of trace.merge) {
      const d = byIndex.get(e.index)!;
      expect(d.label).toBe(e.label);
      expect(d.mask).toEqual(e.mask);
      const sNeg = e.label === L ? cosineSimilarity(set.candidates[e.index].embedding, negative) : null;
      const factor = sNeg === null ? 1 : Math.exp(-Math.max(0, sNeg - e.score) / NEGATIVE_TEMPERATURE);
      expect(d.score).toBeCloseTo(e.score * factor * Math.sqrt(1 - e.ios), 12);
      if (factor < 1) changed++;
    }
    expect(changed).toBeGreaterThan(0);
    const own = byIndex.get(chosen.index)!;
    expect(own.score).toBeCloseTo(chosen.score * Math.exp(-(1 - chosen.score) / 0.8), 6);
    // Best first after damping.
    expect(damped.map((d) => d.score)).toEqual([...damped.map((d) => d.score)].sort((a, b) => b - a));
  });
});
