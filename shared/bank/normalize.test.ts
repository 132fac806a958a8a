import { describe, expect, it } from 'vitest';
import { imagenetNormalize } from './normalize.ts';

describe('imagenetNormalize', () => {
  it('applies the float32 ImageNet mean and std per channel plane', () => {
    const out = imagenetNormalize(Float32Array.of(0, 1, 0.456, 0.5, 1, 0));
    const f = Math.fround;
    expect(Array.from(out)).toEqual([
      f(-f(0.485) / f(0.229)),
      f(f(1 - f(0.485)) / f(0.229)),
      f(f(f(0.456) - f(0.456)) / f(0.224)),
      f(f(0.5 - f(0.456)) / f(0.224)),
      f(f(1 - f(0.406)) / f(0.225)),
      f(-f(0.406) / f(0.225)),
    ]);
  });
});
