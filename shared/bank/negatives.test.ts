import { describe, expect, it } from 'vitest';
import { dampScore, dampScores, NEGATIVE_TEMPERATURE, negativeSimilarity } from './negatives.ts';

describe('negative damping', () => {
  it('is score · exp(−max(0, s_neg − s_pos) / 0.8)', () => {
    expect(NEGATIVE_TEMPERATURE).toBe(0.8);
    expect(dampScore(0.5, 0.9)).toBeCloseTo(0.5 * Math.exp(-0.5), 15);
    expect(dampScore(0.3, 0.7, 0.4)).toBeCloseTo(0.3 * Math.exp(-1), 15);
  });

  it('leaves a score alone without negatives or when the prototype is at least as close', () => {
    expect(dampScore(0.6, null)).toBe(0.6);
    expect(dampScore(0.6, 0.6)).toBe(0.6);
    expect(dampScore(0.6, -0.2)).toBe(0.6);
  });

  it('takes the largest cosine over the negatives, whatever their norm', () => {
    expect(negativeSimilarity([0.8, 0.6], [[0, 2], [3, 4]])).toBeCloseTo(0.96, 15);
    expect(negativeSimilarity([1, 0], [])).toBeNull();
  });

  it('damps each candidate with its own label’s negatives only', () => {
    const negatives = [[Float32Array.of(0, 1), Float32Array.of(3, 4)], undefined, []];
    const damped = dampScores(
      [
        { label: 0, score: 0.6, embedding: Float32Array.of(1, 0) }, // s_neg 0.6 = s_pos
        { label: 0, score: 0.2, embedding: Float32Array.of(0.8, 0.6) }, // s_neg 0.96
        { label: 1, score: 0.2, embedding: Float32Array.of(0.8, 0.6) },
        { label: 2, score: 0.4, embedding: Float32Array.of(0, 1) },
      ],
      negatives,
    );
    expect(damped[0]).toBeCloseTo(0.6, 6);
    expect(damped[1]).toBeCloseTo(0.2 * Math.exp(-(Math.fround(0.96) - 0.2) / 0.8), 6);
    expect(Array.from(damped.slice(2))).toEqual([0.2, 0.4]);
  });
});
