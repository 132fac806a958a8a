import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './hex.ts';
import { sha256Hex } from './sha256.ts';
import { InvalidEncodingError } from '../errors.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('sha256Hex', () => {
  it('matches FIPS 180-2 test vectors', async () => {
    expect(await sha256Hex(text(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('hashes only the view, not the whole underlying buffer', async () => {
    const big = text('xxabcxx');
    expect(await sha256Hex(big.subarray(2, 5))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(text('abc').buffer as ArrayBuffer)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('hex', () => {
  it('round-trips and accepts upper case', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = bytesToHex(bytes);
    expect(hex.slice(0, 8)).toBe('00010203');
    expect(hex.slice(-4)).toBe('feff');
    expect(hexToBytes(hex)).toEqual(bytes);
    expect(hexToBytes('ABcdEF')).toEqual(Uint8Array.of(0xab, 0xcd, 0xef));
  });

  it('rejects odd length and non-hex characters', () => {
    expect(() => hexToBytes('abc')).toThrow(InvalidEncodingError);
    expect(() => hexToBytes('zz')).toThrow(InvalidEncodingError);
    expect(() => hexToBytes('0g')).toThrow(InvalidEncodingError);
  });
});
