import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/bench/synthetic.ts';
import { createClassMatcher } from './classify.ts';

const unit = (...v: number[]) => {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
};

describe('class matching', () => {
  // Unnormalised prototypes: the matcher must normalise them (scale must not matter).
  const prototypes = [Float32Array.of(10, 0, 0), Float64Array.of(0, 0.5, 0), Float32Array.of(3, 4, 0)];

  it('gives raw cosines with the normalised prototypes', () => {
    const m = createClassMatcher(prototypes, 3);
    const cos = m.cosines(unit(1, 1, 0));
    expect(cos[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(cos[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(cos[2]).toBeCloseTo((3 + 4) / 5 / Math.SQRT2, 6);
  });

  it('labels with the best class and scores with its cosine', () => {
    const m = createClassMatcher(prototypes, 3);
    const got = m.match(unit(0.6, 0.8, 0));
    expect(got.label).toBe(2);
    expect(got.score).toBeCloseTo(1, 6);
    expect(m.match(unit(0.1, 1, 0.2)).label).toBe(1);
  });

  it('clamps negative cosines to a score of 0 and labels that candidate by the zeroScoreLabel rule', () => {
    // cosines: -0.95, -0.0995, -0.66 → class 1 is the least negative.
    const e = unit(-1, -0.1, 0.3);
    expect(createClassMatcher(prototypes, 3).match(e)).toEqual({ label: 0, score: 0 });
    expect(createClassMatcher(prototypes, 3, undefined, 'first').match(e)).toEqual({ label: 0, score: 0 });
    expect(createClassMatcher(prototypes, 3, undefined, 'raw-cosine').match(e)).toEqual({ label: 1, score: 0 });
    expect(createClassMatcher(prototypes, 3, undefined, 'exclude').match(e)).toEqual({ label: 1, score: 0 });
    // Positions count within the subset: the first of [2, 1] is class 2.
    expect(createClassMatcher(prototypes, 3, [2, 1], 'first').match(e)).toEqual({ label: 2, score: 0 });
    // A positive best cosine is never touched by the rule.
    expect(createClassMatcher(prototypes, 3, undefined, 'first').match(unit(0.1, 1, 0.2)).label).toBe(1);
  });

  it('torch-cpu labels a row of ties with the index torch.topk returns on CPU (20 classes: 12)', () => {
    const twenty = Array.from({ length: 20 }, (_, c) => Float32Array.from({ length: 3 }, (_, k) => (k === c % 3 ? 1 : 0.1)));
    const e = unit(-1, -1, -1);
    expect(createClassMatcher(twenty, 3, undefined, 'torch-cpu').match(e)).toEqual({ label: 12, score: 0 });
    expect(createClassMatcher(twenty, 3, undefined, 'first').match(e)).toEqual({ label: 0, score: 0 });
    // Three allowed classes → position 0 of the subset.
    expect(createClassMatcher(twenty, 3, [5, 9, 11], 'torch-cpu').match(e)).toEqual({ label: 5, score: 0 });
  });

  it('matches against a subset of classes, keeping the original indices', () => {
    const m = createClassMatcher(prototypes, 3, [0, 1]);
    const got = m.match(unit(0.6, 0.8, 0));
    expect(got.label).toBe(1);
    expect(got.score).toBeCloseTo(0.8, 6);
    expect(m.cosines(unit(0.6, 0.8, 0)).length).toBe(3);
  });

  it('works with more classes than one group of four, and with none', () => {
    const many = Array.from({ length: 9 }, (_, c) => Float32Array.from({ length: 3 }, (_, k) => (k === c % 3 ? c + 1 : 0.1 * c)));
    const m = createClassMatcher(many, 3);
    const e = unit(0.2, 0.1, 1);
    const cos = m.cosines(e);
    const best = cos.indexOf(Math.max(...cos));
    expect(m.match(e)).toEqual({ label: best, score: cos[best] });
    expect(createClassMatcher(many, 3, []).match(e)).toEqual({ label: -1, score: 0 });
  });

  it('rejects dimension mismatches and unknown classes', () => {
    expect(() => createClassMatcher([Float32Array.of(1, 2)], 3)).toThrow(/prototype 0 has dimension 2/);
    expect(() => createClassMatcher(prototypes, 3, [3])).toThrow(/class 3 is not one of the 3 prototypes/);
    expect(() => createClassMatcher(prototypes, 3).match(Float32Array.of(1, 0))).toThrow(/embedding has dimension 2/);
  });

  it('matches many embeddings two at a time with exactly the values of one at a time', () => {
    const rand = seededRandom(4);
    const dim = 37;
    const many = Array.from({ length: 7 }, () => Float32Array.from({ length: dim }, () => rand() - 0.4));
    const embeddings = Array.from({ length: 9 }, () => unit(...Array.from({ length: dim }, () => rand() - 0.5)));
    for (const classes of [undefined, [6, 1, 3], [2]]) {
      const m = createClassMatcher(many, dim, classes);
      for (const count of [0, 1, 2, 9]) {
        const some = embeddings.slice(0, count);
        const all = m.matchAll(some);
        expect(all).toEqual(some.map((e) => m.match(e)));
        // The score is the raw cosine of the label, bit for bit.
        all.forEach((got, i) => expect(got.score).toBe(Math.max(0, m.cosines(some[i])[got.label])));
      }
    }
    expect(() => createClassMatcher(many, dim).matchAll([embeddings[0], Float32Array.of(1, 0)])).toThrow(/embedding has dimension 2/);
  });
  it('gives the component along the unit prototype of the label, for positive scores only', () => {
    // Unnormalised, and a prototype so small it stays short after normalisation (below 1e-12).
    const m = createClassMatcher([[3, 0, 0], [0, 2, 2], [0, 0, 1e-13]], 3);
    const e = unit(0.6, 0.8, 0.1);
    const got = m.match(e);
    expect(got.label).toBe(1);
    expect(m.axis(got)).toBeCloseTo((0.8 + 0.1) / Math.sqrt(2) / Math.hypot(0.6, 0.8, 0.1), 6);
    expect(m.axis({ label: 2, score: 0.1 })).toBeCloseTo(1, 6); // 0.1 along a prototype 0.1 long
    expect(m.axis({ label: 0, score: 0 })).toBeNaN();
  });
});
