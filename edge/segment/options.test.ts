import { describe, expect, it } from 'vitest';
import { NotFoundError, UnprocessableError } from '../../shared/errors.ts';
import type { MatchingBank } from '../banks/index.ts';
import { checkSegmentOptions, resolveSegmentOptions } from './options.ts';

const bank: MatchingBank = {
  bankId: 'b',
  revision: '1',
  modelId: 'm',
  pipelineId: 'p',
  dim: 2,
  classes: ['cat', 'dog', 'owl'],
  prototypes: [Float64Array.of(1, 0), Float64Array.of(0, 1), Float64Array.of(0, 0)],
  // The owl has no positive reference.
  matchable: [0, 1],
  negatives: [[], [], []],
};
const opts = (o: object) => checkSegmentOptions(o, 'options');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('resolveSegmentOptions', () => {
  it('matches every class that has references by default, and says which cannot be found', () => {
    expect(resolveSegmentOptions(bank, opts({}))).toEqual({
      pipeline: { classes: [0, 1], scoreThreshold: 0, classThresholds: {}, maxDetections: 100, officialBoxCompat: false },
      classesWithoutReferences: ['owl'],
    });
  });

  it('turns class names into labels for the subset and the per-class thresholds', () => {
    const r = resolveSegmentOptions(bank, opts({ classes: ['dog', 'owl'], scoreThreshold: 0.3, perClassThresholds: { dog: 0.7, cat: 0.1 }, maxDetections: 5, officialBoxCompat: true }));
    expect(r.pipeline).toEqual({ classes: [1], scoreThreshold: 0.3, classThresholds: { '1': 0.7, '0': 0.1 }, maxDetections: 5, officialBoxCompat: true });
    expect(r.classesWithoutReferences).toEqual(['owl']);
  });

  it('passes the zero-score label rule through when one is asked for', () => {
    expect(resolveSegmentOptions(bank, opts({ zeroScoreLabel: 'torch-cpu' })).pipeline.zeroScoreLabel).toBe('torch-cpu');
    expect('zeroScoreLabel' in resolveSegmentOptions(bank, opts({})).pipeline).toBe(false);
  });

  it('answers 404 naming the field for a class the bank does not have', () => {
    const a = thrown(() => resolveSegmentOptions(bank, opts({ classes: ['cat', 'emu'] })));
    expect(a).toBeInstanceOf(NotFoundError);
    expect(a).toMatchObject({ status: 404, field: 'options.classes[1]', extra: { resource: 'class', id: 'emu' } });
    const b = thrown(() => resolveSegmentOptions(bank, opts({ perClassThresholds: { emu: 0.2 } })));
    expect(b).toMatchObject({ status: 404, field: 'options.perClassThresholds.emu' });
  });

  it('refuses (422) when no class asked for has a reference', () => {
    const err = thrown(() => resolveSegmentOptions(bank, opts({ classes: ['owl'] })));
    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err).toMatchObject({ status: 422, type: 'https://refseg.dev/problems/no-references', field: 'options.classes', extra: { classesWithoutReferences: ['owl'] } });
    const empty = thrown(() => resolveSegmentOptions({ ...bank, matchable: [] }, opts({})));
    expect(empty).toMatchObject({ status: 422, detail: 'Bank "b" has no positive reference for any class; add references first.' });
  });

  it('treats every class name as data: __proto__, constructor, toString, unicode and 128-character names keep their thresholds', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '猫 🐈', 'x'.repeat(128)];
    const nasty: MatchingBank = { ...bank, classes: names, prototypes: names.map(() => Float64Array.of(1, 0)), matchable: names.map((_, l) => l), negatives: names.map(() => []) };
    // JSON.parse makes "__proto__" an own key, as a client's body does.
    const raw = JSON.parse(`{"classes": ${JSON.stringify(names)}, "perClassThresholds": {${names.map((n, i) => `${JSON.stringify(n)}: 0.${i + 1}`).join(', ')}}}`);
    const r = resolveSegmentOptions(nasty, opts(raw));
    expect(r.pipeline.classes).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.pipeline.classThresholds).toEqual({ '0': 0.1, '1': 0.2, '2': 0.3, '3': 0.4, '4': 0.5, '5': 0.6 });
    // The same names on a bank that lacks them are 404s naming the field, never silently dropped.
    const missing = thrown(() => resolveSegmentOptions(bank, opts(JSON.parse('{"perClassThresholds": {"__proto__": 0.5}}'))));
    expect(missing).toMatchObject({ status: 404, field: 'options.perClassThresholds.__proto__', extra: { id: '__proto__' } });
    expect(thrown(() => opts(JSON.parse('{"perClassThresholds": {"__proto__": 7}}')))).toMatchObject({ status: 422, field: 'options.perClassThresholds.__proto__' });
    expect(thrown(() => opts(JSON.parse('{"perClassThresholds": {"__proto__": "high"}}')))).toMatchObject({ status: 400 });
  });
});
