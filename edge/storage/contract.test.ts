import { describe, expect, it } from 'vitest';
import { assertKey, keySegment, StorageKeyError } from './contract.ts';

describe('keySegment', () => {
  it('turns any text into one printable-ASCII key segment without a slash', () => {
    expect(keySegment('official')).toBe('official');
    expect(keySegment('sam2.1 hiera/L + dinov2')).toBe('sam2.1%20hiera%2FL%20%2B%20dinov2');
    expect(keySegment('ünï')).toBe('%C3%BCn%C3%AF');
    for (const text of ['a/b', 'ü', ' ', 'x\ty']) {
      const segment = keySegment(text);
      expect(segment).not.toContain('/');
      expect(() => assertKey(`cs/${segment}`)).not.toThrow();
      expect(decodeURIComponent(segment)).toBe(text);
    }
    expect(() => assertKey('cs/a b')).toThrow(StorageKeyError);
  });
});
