// Standard base64 (RFC 4648 §4) without Buffer or atob/btoa: both of those go through
// JS strings one character at a time and are slow or unavailable for multi-megabyte
// embeddings. Encoding writes ASCII bytes and decodes them in one TextDecoder call (UTF-8,
// the one encoding every runtime's TextDecoder has; ASCII is its subset).
import { InvalidEncodingError } from '../errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
const ENCODE = new Uint8Array(64);
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
const ascii = new TextDecoder();
const utf8 = new TextEncoder();

/** Bytes → padded standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  const whole = n - (n % 3);
  let o = 0;
  for (let i = 0; i < whole; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ENCODE[v >>> 18];
    out[o++] = ENCODE[(v >>> 12) & 63];
    out[o++] = ENCODE[(v >>> 6) & 63];
    out[o++] = ENCODE[v & 63];
  }
  if (n - whole === 1) {
    const v = bytes[whole] << 16;
    out[o++] = ENCODE[v >>> 18];
    out[o++] = ENCODE[(v >>> 12) & 63];
    out[o++] = PAD;
    out[o++] = PAD;
  } else if (n - whole === 2) {
    const v = (bytes[whole] << 16) | (bytes[whole + 1] << 8);
    out[o++] = ENCODE[v >>> 18];
    out[o++] = ENCODE[(v >>> 12) & 63];
    out[o++] = ENCODE[(v >>> 6) & 63];
    out[o++] = PAD;
  }
  return ascii.decode(out);
}

/** Number of bytes `text` decodes to (padded or not), from its length alone; -1 if no valid text is that long. */
export function base64DecodedLength(text: string): number {
  let len = text.length;
  if (len % 4 === 0 && len > 0 && text.charCodeAt(len - 1) === PAD) len -= text.charCodeAt(len - 2) === PAD ? 2 : 1;
  const rem = len % 4;
  if (rem === 1) return -1;
  return (len - rem) / 4 * 3 + (rem === 0 ? 0 : rem - 1);
}

/**
 * Standard base64 → bytes. Padding is optional; whitespace, the URL-safe alphabet and any
 * other character are rejected with InvalidEncodingError (bits after the last byte are ignored).
 */
export function base64ToBytes(text: string): Uint8Array {
  const n = base64DecodedLength(text);
  if (n < 0) throw new InvalidEncodingError(`Base64 text has an impossible length (${text.length}).`);
  const src = utf8.encode(text);
  const out = new Uint8Array(n);
  const quads = Math.floor(n / 3) * 4;
  let o = 0;
  let i = 0;
  for (; i < quads; i += 4) {
    const a = DECODE[src[i]];
    const b = DECODE[src[i + 1]];
    const c = DECODE[src[i + 2]];
    const d = DECODE[src[i + 3]];
    if ((a | b | c | d) < 0) throw badChar(src, i);
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  const tail = n - o;
  if (tail > 0) {
    const a = DECODE[src[i]];
    const b = DECODE[src[i + 1]];
    const c = tail === 2 ? DECODE[src[i + 2]] : 0;
    if ((a | b | c) < 0) throw badChar(src, i);
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (tail === 2) out[o++] = (v >>> 8) & 255;
  }
  // Multi-byte UTF-8 input makes src longer than text; every char must have been consumed.
  if (src.length !== text.length) throw new InvalidEncodingError('Base64 text contains non-ASCII characters.');
  return out;
}

function badChar(src: Uint8Array, from: number): InvalidEncodingError {
  let at = from;
  while (at < src.length && DECODE[src[at]] >= 0) at++;
  return new InvalidEncodingError(`Base64 text has an invalid character at position ${at}.`);
}
