import { describe, expect, it } from 'vitest';
import { runExample } from './shared-api.ts';

describe('README example of the shared API', () => {
  it('finds both squares as class 0 with exact masks, identically on both paths', () => {
    const { detections, sameAsOfficial } = runExample();
    expect(sameAsOfficial).toBe(true);
    // 256-grid rows/cols 40..99 cover original x 25..61 (160 px wide) and y 19..46 (120 px high).
    expect(detections.map((d) => [d.label, d.score, d.bbox, d.area])).toEqual([
      [0, 1, [25, 19, 37, 28], 37 * 28],
      [0, 1, [94, 70, 37, 28], 37 * 28],
    ]);
  });
});
