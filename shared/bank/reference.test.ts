import { describe, expect, it } from 'vitest';
import { EmptyReferenceError } from '../errors.ts';
import { cropImage518 } from './crop-image.ts';
import { imagenetNormalize } from './normalize.ts';
import { prepareReference } from './reference.ts';
import { softWeights37 } from './soft-weights.ts';

describe('prepareReference', () => {
  const w = 64;
  const h = 48;
  const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256);

  it('crops around the bbox and returns the weights and the normalised DINOv2 input', () => {
    const mask = new Uint8Array(w * h);
    for (let y = 10; y < 30; y++) mask.fill(1, y * w + 20, y * w + 40);
    const ref = prepareReference(rgb, w, h, mask, [20, 10, 20, 20]);
    // Side 24 around (30, 20).
    expect(ref.geometry.crop).toEqual([18, 8, 42, 32]);
    expect(Array.from(ref.weights37)).toEqual(Array.from(softWeights37(mask, h, w, [18, 8, 42, 32]).weights37));
    const input = imagenetNormalize(cropImage518(rgb, w, h, [18, 8, 42, 32]));
    expect(ref.input).toHaveLength(input.length);
    expect(ref.input.every((v, i) => v === input[i])).toBe(true);
  });

  it('refuses a mask that covers no patch sample point before any model runs', () => {
    // The official thin-object case (fixture bank/003): rows 90..209 of the crop stretched to
    // 518, so row 150 falls between the sample rows 14r and gets no weight anywhere.
    const thin = new Uint8Array(400 * 300);
    thin.fill(1, 150 * 400 + 100, 150 * 400 + 200);
    expect(() => prepareReference(new Uint8Array(400 * 300 * 3), 400, 300, thin, [100, 150, 100, 1])).toThrow(EmptyReferenceError);
  });
});
