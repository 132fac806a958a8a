// Instance vectors as stored and shipped: little-endian float32 bytes, base64 in JSON.
import { base64DecodedLength, base64ToBytes, bytesToBase64 } from '../../shared/encoding/base64.ts';
import { readFloat32LE, toLittleEndianBytes } from '../../shared/encoding/little-endian.ts';
import { StorageError } from '../storage/contract.ts';

export function vectorToBase64(vector: Float32Array): string {
  return bytesToBase64(toLittleEndianBytes(vector));
}

/** Decodes a stored vector; a wrong length means a damaged record. */
export function vectorFromBase64(text: string, dim: number): Float32Array {
  if (base64DecodedLength(text) !== dim * 4) throw new StorageError(`A stored instance vector does not hold ${dim} float32 values.`);
  return readFloat32LE(base64ToBytes(text), 0, dim);
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
