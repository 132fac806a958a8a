// Typed arrays ⇄ little-endian bytes. Every platform refseg targets is little-endian, so
// the fast path is a plain copy; the DataView path keeps big-endian hosts correct.
import { InvalidEncodingError } from '../errors.ts';

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copy of the values as little-endian bytes (4 per float32, 2 per uint16). */
export function toLittleEndianBytes(values: Float32Array | Uint16Array): Uint8Array {
  const out = new Uint8Array(values.byteLength);
  writeLittleEndian(values, out, 0);
  return out;
}

/** Writes the values as little-endian bytes into `target` at `offset`. */
export function writeLittleEndian(values: Float32Array | Uint16Array, target: Uint8Array, offset: number): void {
  checkRange(target, offset, values.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset + offset, values.byteLength);
  if (values instanceof Float32Array) for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  else for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i], true);
}

/** `count` little-endian float32 values starting at `offset` (copied, so any alignment works). */
export function readFloat32LE(bytes: Uint8Array, offset: number, count: number): Float32Array {
  checkRange(bytes, offset, count * 4);
  if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(bytes.slice(offset, offset + count * 4).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** `count` little-endian uint16 values starting at `offset` (copied). */
export function readUint16LE(bytes: Uint8Array, offset: number, count: number): Uint16Array {
  checkRange(bytes, offset, count * 2);
  if (HOST_IS_LITTLE_ENDIAN) return new Uint16Array(bytes.slice(offset, offset + count * 2).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 2);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
  return out;
}

function checkRange(bytes: Uint8Array, offset: number, length: number): void {
  if (!(offset >= 0 && length >= 0 && offset + length <= bytes.length)) {
    throw new InvalidEncodingError(`Need ${length} bytes at offset ${offset}, have ${bytes.length - offset}.`);
  }
}
