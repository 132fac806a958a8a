import { describe, expect, it } from 'vitest';
import { bankQuality, DEFAULT_QUALITY_THRESHOLDS } from './quality.ts';
import type { QualityReference } from './quality.ts';

const v = (...x: number[]) => Float32Array.from(x);
const ref = (id: string, className: string, vector: Float32Array, negative = false): QualityReference => ({ id, className, negative, vector });

// Hand-computed cosines for the bank below (class prototypes: cat ∝ (1,1,0), dog ∝ (1,0,2), bird ∝ (1,0,0)).
const r5 = 1 / Math.sqrt(5);
const r2 = 1 / Math.sqrt(2);
const r10 = 1 / Math.sqrt(10);

describe('bankQuality', () => {
  const classes = ['cat', 'dog', 'bird'];
  const refs = [
    ref('f1', 'cat', v(2, 0, 0)),
    ref('f2', 'cat', v(0, 2, 0)),
    ref('f3', 'cat', v(2, 2, 0)),
    ref('g1', 'dog', v(0, 0, 1)),
    ref('g2', 'dog', v(1, 0, 1)),
    ref('n1', 'cat', v(0, 1, 1), true),
    ref('h1', 'bird', v(1, 0, 0)),
  ];
  const q = bankQuality(classes, refs);
  const byId = Object.fromEntries(refs.map((r, i) => [r.id, q.references[i]]));

  it('computes the leave-one-out cosine of each positive against the rest of its class', () => {
    // f1 vs mean(f2, f3) = (1,2,0): 2 / (2·√5).
    expect(byId.f1.basis).toBe('leave-one-out');
    expect(byId.f1.classCosine).toBeCloseTo(r5, 12);
    // f2 vs mean(f1, f3) = (2,1,0).
    expect(byId.f2.classCosine).toBeCloseTo(r5, 12);
    // f3 vs mean(f1, f2) = (1,1,0): parallel.
    expect(byId.f3.classCosine).toBeCloseTo(1, 12);
    // Two shots: each against the other.
    expect(byId.g1.classCosine).toBeCloseTo(r2, 12);
    expect(byId.g2.classCosine).toBeCloseTo(r2, 12);
  });

  it('leaves the cosine undefined for the only positive of a class, and says why', () => {
    expect(byId.h1).toMatchObject({ basis: 'single-shot', classCosine: null, margin: null, outlier: false, confusable: false });
    expect(byId.h1.nearestOtherClass?.className).toBe('cat');
    expect(byId.h1.nearestOtherClass?.cosine).toBeCloseTo(r2, 12);
  });

  it('finds the nearest other class by cosine to its full prototype (first class on ties)', () => {
    expect(byId.f1.nearestOtherClass).toEqual({ className: 'bird', cosine: 1 });
    expect(byId.f2.nearestOtherClass).toEqual({ className: 'dog', cosine: 0 });
    expect(byId.f3.nearestOtherClass?.className).toBe('bird');
    expect(byId.f3.nearestOtherClass?.cosine).toBeCloseTo(r2, 12);
    expect(byId.g2.nearestOtherClass?.className).toBe('bird');
    expect(byId.g2.nearestOtherClass?.cosine).toBeCloseTo(r2, 12);
    expect(byId.f3.margin).toBeCloseTo(1 - r2, 12);
  });

  it('flags outliers below 0.5 and references within 0.05 of another class', () => {
    expect(DEFAULT_QUALITY_THRESHOLDS).toEqual({ outlierCosine: 0.5, confusableMargin: 0.05 });
    const flagged = (flag: 'outlier' | 'confusable') => refs.filter((r) => byId[r.id][flag]).map((r) => r.id);
    expect(flagged('outlier')).toEqual(['f1', 'f2']);
    // f1: 0.447 to its class, 1 to bird. g2: 0.7071 to its class and to bird (margin 0).
    expect(flagged('confusable')).toEqual(['f1', 'g2']);
    expect(byId.g2.margin).toBeCloseTo(0, 12);
  });

  it('compares a negative with its class prototype and never flags it', () => {
    // (0,1,1) vs cat prototype ∝ (1,1,0): 1/2; vs dog ∝ (1,0,2): 2/√10.
    expect(byId.n1.basis).toBe('class-prototype');
    expect(byId.n1.classCosine).toBeCloseTo(0.5, 12);
    expect(byId.n1.nearestOtherClass?.className).toBe('dog');
    expect(byId.n1.nearestOtherClass?.cosine).toBeCloseTo(2 * r10, 12);
    expect(byId.n1.outlier || byId.n1.confusable).toBe(false);
  });

  it('summarises each class', () => {
    expect(q.classes[0].meanLeaveOneOutCosine).toBeCloseTo((2 * r5 + 1) / 3, 12);
    expect(q.classes[0]).toMatchObject({ outliers: ['f1', 'f2'], confusable: ['f1'] });
    expect(q.classes[0].nearestClass?.className).toBe('bird');
    expect(q.classes[0].nearestClass?.cosine).toBeCloseTo(r2, 12);
    expect(q.classes[1].meanLeaveOneOutCosine).toBeCloseTo(r2, 12);
    expect(q.classes[1].nearestClass?.cosine).toBeCloseTo(r5, 12);
    expect(q.classes[2]).toMatchObject({ meanLeaveOneOutCosine: null, outliers: [], confusable: [] });
  });

  it('uses configured thresholds', () => {
    const strict = bankQuality(classes, refs, { outlierCosine: 0.8, confusableMargin: 0.3 });
    expect(refs.filter((_, i) => strict.references[i].outlier).map((r) => r.id)).toEqual(['f1', 'f2', 'g1', 'g2']);
    expect(refs.filter((_, i) => strict.references[i].confusable).map((r) => r.id)).toEqual(['f1', 'f3', 'g2']);
  });

  it('handles a class without positives and a bank without references', () => {
    const lone = bankQuality(['a', 'b'], [ref('n', 'a', v(1, 0), true)]);
    expect(lone.references[0]).toMatchObject({ basis: 'no-positives', classCosine: null, nearestOtherClass: null });
    expect(lone.classes[0]).toMatchObject({ meanLeaveOneOutCosine: null, nearestClass: null });
    expect(bankQuality(['a'], [])).toEqual({ references: [], classes: [{ meanLeaveOneOutCosine: null, outliers: [], confusable: [], nearestClass: null }] });
  });
});
