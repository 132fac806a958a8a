import { describe, expect, it } from 'vitest';
import { MalformedBoxError } from '../errors.ts';
import { referenceCrop } from './geometry.ts';

describe('referenceCrop', () => {
  it('truncates the bbox, centres a 1.2× square on it and keeps it inside the image', () => {
    // box_int [221,253,279,401]: w 58, h 148 → side 177.6 around (250, 327).
    expect(referenceCrop([221.94, 253.85, 57.75, 147.38], 640, 480)).toEqual({
      box_int: [221, 253, 279, 401],
      mid: [250, 327],
      size: 148 * 1.2,
      crop: [161, 238, 338, 415],
    });
  });

  it('truncates negative coordinates toward zero and clips at every border', () => {
    const r = referenceCrop([-3.7, -0.5, 53.9, 100.2], 40, 60);
    expect(r.box_int).toEqual([-3, 0, 50, 99]);
    expect(Object.is(r.box_int[1], 0)).toBe(true);
    // side 99·1.2 = 118.8 around (23.5, 49.5): clipped to the 40×60 image.
    expect(r.crop).toEqual([0, 0, 40, 60]);
  });

  it('takes the context ratio of other configs', () => {
    expect(referenceCrop([100, 100, 10, 20], 500, 500, 0.3).crop).toEqual([92, 97, 118, 123]);
  });

  it('refuses a box that leaves no pixel to crop', () => {
    expect(() => referenceCrop([10, 10, 0, 0], 100, 100)).toThrow(MalformedBoxError);
    expect(() => referenceCrop([200, 10, 20, 20], 100, 100)).toThrow(MalformedBoxError);
    expect(() => referenceCrop([Number.NaN, 10, 20, 20], 100, 100)).toThrow(MalformedBoxError);
  });
});
