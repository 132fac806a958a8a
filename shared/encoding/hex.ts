import { InvalidEncodingError } from '../errors.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/** Hex of either case → bytes; odd length or a non-hex character throws InvalidEncodingError. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new InvalidEncodingError(`Hex text has odd length ${hex.length}.`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if ((hi | lo) < 0) throw new InvalidEncodingError(`Hex text has an invalid character near position ${2 * i}.`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
