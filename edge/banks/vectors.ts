// Stored instance vectors back to numbers (shared/bank/vectors.ts writes them).
import { base64DecodedLength, base64ToBytes } from '../../shared/encoding/base64.ts';
import { readFloat32LE } from '../../shared/encoding/little-endian.ts';
import { StorageError } from '../storage/contract.ts';

/** Decodes a stored vector; a wrong length means a damaged record. */
export function vectorFromBase64(text: string, dim: number): Float32Array {
  if (base64DecodedLength(text) !== dim * 4) throw new StorageError(`A stored instance vector does not hold ${dim} float32 values.`);
  return readFloat32LE(base64ToBytes(text), 0, dim);
}
