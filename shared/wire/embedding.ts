// Embedding payloads as stored on the wire: little-endian float32, or IEEE half.
//
// float32 round-trips bit-exactly. float16 halves the size; decoding re-normalises the vector
// to unit length, because matching and soft merging treat embeddings as unit vectors (their
// dot products are cosines). Error bound: each value is within 2^-11 relative (half an ulp,
// or 2^-25 absolute below 2^-14) before re-normalisation and the norm moves by at most as
// much, so each decoded value is within 2^-10·|x| + 2^-24 of the original; cosines against
// any unit vector change by at most ~2^-10.
import { float16BitsToFloat32, float32ToFloat16Bits } from '../encoding/float16.ts';
import { readFloat32LE, readUint16LE, writeLittleEndian } from '../encoding/little-endian.ts';
import type { EmbeddingDtype } from './limits.ts';

export function bytesPerValue(dtype: EmbeddingDtype): number {
  return dtype === 'float32' ? 4 : 2;
}

export function writeEmbedding(values: Float32Array, dtype: EmbeddingDtype, target: Uint8Array, offset: number): void {
  writeLittleEndian(dtype === 'float32' ? values : float32ToFloat16Bits(values), target, offset);
}

/** The caller has checked that `dim · bytesPerValue(dtype)` bytes are there. */
export function readEmbedding(bytes: Uint8Array, offset: number, dim: number, dtype: EmbeddingDtype): Float32Array {
  if (dtype === 'float32') return readFloat32LE(bytes, offset, dim);
  return renormalised(float16BitsToFloat32(readUint16LE(bytes, offset, dim)));
}

function renormalised(v: Float32Array): Float32Array {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  const norm = Math.sqrt(sq);
  // A zero vector stays zero (the official code divides by max(norm, 1e-12) too); a non-finite
  // norm means non-finite values, which the caller's validation rejects.
  if (norm > 0 && Number.isFinite(norm)) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}
