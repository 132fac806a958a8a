// DINOv2 input normalisation (spec/method.md §1.3 step 2), in float32 like the official tensors.
import { BankArgumentError } from './errors.ts';

const MEAN = [0.485, 0.456, 0.406].map(Math.fround);
const STD = [0.229, 0.224, 0.225].map(Math.fround);

/** ImageNet mean/std per channel of a float32 CHW RGB image; returns a new array. */
export function imagenetNormalize(chw: Float32Array): Float32Array {
  if (chw.length % 3 !== 0) throw new BankArgumentError(`a 3-channel CHW image cannot have ${chw.length} values`);
  const plane = chw.length / 3;
  const out = new Float32Array(chw.length);
  for (let c = 0; c < 3; c++) {
    for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = Math.fround(chw[i] - MEAN[c]) / STD[c];
  }
  return out;
}
