import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.ts';

describe('RateMeter', () => {
  it('is 0 until two samples, then units per second', () => {
    let t = 0;
    const meter = new RateMeter(5000, () => t);
    expect(meter.update(0)).toBe(0);
    t = 500;
    expect(meter.update(1000)).toBe(2000);
  });

  it('forgets samples older than the window, so a stall shows', () => {
    let t = 0;
    const meter = new RateMeter(2000, () => t);
    for (; t <= 10_000; t += 1000) meter.update(t * 10); // 10 000 units/s for 10 s
    expect(meter.rate).toBe(10_000);
    for (; t <= 14_000; t += 1000) meter.update(100_000); // then nothing
    expect(meter.rate).toBe(0);
    t = 15_000;
    meter.update(101_000);
    expect(meter.rate).toBe(500); // 1000 units over the last 2 s
  });

  it('starts over when the total goes backwards', () => {
    let t = 0;
    const meter = new RateMeter(5000, () => t);
    meter.update(5000);
    t = 1000;
    meter.update(10_000);
    t = 2000;
    meter.update(0);
    expect(meter.rate).toBe(0);
    t = 3000;
    expect(meter.update(300)).toBe(300);
  });
});
