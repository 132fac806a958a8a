import { describe, expect, it } from 'vitest';
import { InvalidEncodingError } from '../errors.ts';
import { base64DecodedLength, base64ToBytes, bytesToBase64 } from './base64.ts';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const next = seeded(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() >>> 24;
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

// btoa/atob are the Web-standard reference (slow, binary strings), fine for small inputs.
const viaBtoa = (b: Uint8Array) => btoa(String.fromCharCode(...b));

describe('base64', () => {
  it('matches RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, b64] of vectors) {
      const bytes = new TextEncoder().encode(plain);
      expect(bytesToBase64(bytes)).toBe(b64);
      expect(new TextDecoder().decode(base64ToBytes(b64))).toBe(plain);
      expect(base64DecodedLength(b64)).toBe(bytes.length);
    }
  });

  it('agrees with btoa/atob on random data of every length 0..200', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = randomBytes(n, n + 1);
      const text = bytesToBase64(bytes);
      expect(text).toBe(viaBtoa(bytes));
      expect(base64ToBytes(text)).toEqual(bytes);
      expect(base64ToBytes(text.replace(/=+$/, ''))).toEqual(bytes);
    }
  });

  it('round-trips 8 MB quickly', () => {
    const bytes = randomBytes(8 << 20, 7);
    const t0 = performance.now();
    const text = bytesToBase64(bytes);
    const back = base64ToBytes(text);
    const ms = performance.now() - t0;
    expect(firstDifference(back, bytes)).toBe(-1);
    expect(text.length).toBe(Math.ceil(bytes.length / 3) * 4);
    expect(ms).toBeLessThan(5000); // generous: the machine is shared; a char-at-a-time codec takes far longer
  });

  it('rejects invalid text with InvalidEncodingError', () => {
    for (const bad of ['A', 'AAAAA', 'AB=C', 'A===', 'AA=', 'Zm9v YmFy', 'Zm9v\nYmFy', 'Zm9-', 'Zm9_', 'Zm9vé', 'Zm9vYmé=', '====']) {
      expect(() => base64ToBytes(bad), bad).toThrow(InvalidEncodingError);
    }
    expect(base64DecodedLength('A')).toBe(-1);
  });

  it('names the position of the first bad character', () => {
    expect(() => base64ToBytes('Zm9vY*Fy')).toThrow(/position 5/);
  });
});
