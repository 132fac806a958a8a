import { bytesToHex } from './hex.ts';

/** SHA-256 of `bytes` as lower-case hex (the key of the edge's candidate-set cache). */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  return bytesToHex(await sha256(bytes));
}

export async function sha256(bytes: Uint8Array | ArrayBuffer): Promise<Uint8Array> {
  // WebCrypto rejects views on SharedArrayBuffer; copy those (rare) rather than fail.
  const input = bytes instanceof ArrayBuffer || bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
  return new Uint8Array(await crypto.subtle.digest('SHA-256', input as BufferSource));
}
