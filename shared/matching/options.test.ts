import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { resolvePipelineOptions } from './options.ts';

describe('pipeline options', () => {
  it('default to the official values (true COCO boxes being the documented deviation)', () => {
    expect(resolvePipelineOptions()).toEqual({
      maxDetections: 100,
      nmsThreshold: 0.5,
      preMergeCap: 800,
      scoreThreshold: 0,
      officialBoxCompat: false,
      zeroScoreLabel: 'first',
    });
  });

  it('keep what the caller gives', () => {
    const o = resolvePipelineOptions({ maxDetections: 5, classes: [2, 0], classThresholds: { 2: 0.4 }, officialBoxCompat: true });
    expect(o.maxDetections).toBe(5);
    expect(o.classes).toEqual([2, 0]);
    expect(o.classThresholds).toEqual({ 2: 0.4 });
    expect(o.officialBoxCompat).toBe(true);
  });

  it('reject invalid values with the path of the field', () => {
    const bad = (input: unknown) => {
      try {
        resolvePipelineOptions(input as never);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).issues.map((i) => i.path);
      }
      throw new Error('accepted');
    };
    expect(bad({ nmsThreshold: 1.5 })).toEqual(['options.nmsThreshold']);
    expect(bad({ maxDetections: 2.5 })).toEqual(['options.maxDetections']);
    expect(bad({ classes: [-1] })).toEqual(['options.classes[0]']);
    expect(bad({ classThresholds: { x: 0.3 } })).toEqual(['options.classThresholds.x']);
    expect(bad({ topK: 3 })).toEqual(['options']);
    expect(bad({ zeroScoreLabel: 'last' })).toEqual(['options.zeroScoreLabel']);
  });
});
