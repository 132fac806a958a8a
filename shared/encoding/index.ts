export { base64DecodedLength, base64ToBytes, bytesToBase64 } from './base64.ts';
export { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16Bits, toFloat16Bits } from './float16.ts';
export { bytesToHex, hexToBytes } from './hex.ts';
export { readFloat32LE, readUint16LE, toLittleEndianBytes, writeLittleEndian } from './little-endian.ts';
export { sha256, sha256Hex } from './sha256.ts';
