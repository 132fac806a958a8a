// Instance vectors as bank files and stores carry them: little-endian float32 bytes, base64 in JSON.
import { bytesToBase64 } from '../encoding/base64.ts';
import { toLittleEndianBytes } from '../encoding/little-endian.ts';

export function vectorToBase64(vector: Float32Array): string {
  return bytesToBase64(toLittleEndianBytes(vector));
}

/**
 * Why a vector cannot be an instance mean, or null if it can. NaN is what the official code
 * stores for a mask that covers no patch sample point (spec/method.md §2); a zero vector has no
 * direction, so no cosine.
 */
export function unusableVector(vector: Float32Array): 'non-finite' | 'zero' | null {
  let nonZero = false;
  for (let i = 0; i < vector.length; i++) {
    if (!Number.isFinite(vector[i])) return 'non-finite';
    if (vector[i] !== 0) nonZero = true;
  }
  return nonZero ? null : 'zero';
}
