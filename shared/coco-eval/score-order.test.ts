import { describe, expect, it } from 'vitest';
import { orderByScoreDesc } from './score-order.ts';

describe('orderByScoreDesc', () => {
  it('sorts by decreasing score, keeps input order on ties and puts NaN last (np.argsort(-s, mergesort))', () => {
    expect([...orderByScoreDesc([0.5, NaN, 0.9, 0.5, 0.9, -1, 0])]).toEqual([2, 4, 0, 3, 6, 5, 1]);
  });
});
