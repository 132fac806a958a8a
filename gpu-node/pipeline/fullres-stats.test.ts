import { describe, expect, it } from 'vitest';
import { createFullResRenderer, scanLowResMask } from '../../shared/matching/index.ts';
import { torchBilinear } from '../../shared/resample/index.ts';
import { createFullResMeasurer } from './fullres-stats.ts';

/** Two overlapping cones and a ridge, values well away from 0 and ±1 ties. */
function plane(seed: number): Float32Array {
  const p = new Float32Array(256 * 256);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++) {
      const a = 6 * (17.31 + seed - Math.hypot(x - 80.2 - seed, y - 120.7));
      const b = 3 * (9.77 - Math.hypot(x - 160.4, y - 60.1 - seed));
      const ridge = 2.5 * (2.13 - Math.abs(x - y - 30.5 + seed));
      p[y * 256 + x] = Math.max(a, b, ridge, -20);
    }
  }
  return p;
}

/** The upsampled logits computed whole (torch bilinear, antialias on: the candidates' filter). */
function bruteForce(p: Float32Array, h: number, w: number, offset: number) {
  const up = torchBilinear(p, 1, 256, 256, h, w, { antialias: true });
  let high = 0;
  let union = 0;
  let area = 0;
  for (const v of up) {
    if (v > offset) high++;
    if (v > -offset) union++;
    if (v > 0) area++;
  }
  return { stability: Math.fround(high / union), area };
}

describe('createFullResMeasurer', () => {
  for (const [h, w] of [
    [480, 640],
    [300, 257],
    [180, 120],
  ]) {
    it(`matches the whole upsampled map and the candidates' mask at ${w}×${h}`, () => {
      const m = createFullResMeasurer(h, w);
      const renderer = createFullResRenderer(h, w);
      for (const seed of [0, 3]) {
        const p = plane(seed);
        const stats = m.measure(p, 1);
        const ref = bruteForce(p, h, w, 1);
        expect(stats.area).toBe(ref.area);
        expect(stats.stability).toBe(ref.stability);
        expect(stats.stability).toBeGreaterThan(0.5);
        expect(stats.stability).toBeLessThan(1);
        const rendered = renderer.render(p, scanLowResMask(p, 0));
        expect(stats.area).toBe(rendered.area);
        expect(stats.box).toEqual(rendered.box);
      }
    });
  }

  it('gives NaN stability and an empty box when nothing exceeds −offset, 0 when nothing exceeds +offset', () => {
    const m = createFullResMeasurer(100, 100);
    expect(m.measure(new Float32Array(65536).fill(-3), 1)).toEqual({ stability: Number.NaN, area: 0, box: [0, 0, 0, 0] });
    const faint = new Float32Array(65536).fill(-3);
    for (let y = 127; y <= 129; y++) for (let x = 127; x <= 129; x++) faint[y * 256 + x] = 0.5;
    const s = createFullResMeasurer(512, 512).measure(faint, 1);
    expect(s.stability).toBe(0);
    expect(s.area).toBeGreaterThan(0);
  });
});
