import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from './memory.ts';

describe('memory blob cache', () => {
  it('evicts the least recently used blobs beyond its byte budget', async () => {
    const { blobs } = createMemoryStorage({ maxBlobBytes: 10 });
    await blobs.put('a', new Uint8Array(4));
    await blobs.put('b', new Uint8Array(4));
    await blobs.get('a');
    await blobs.put('c', new Uint8Array(4));
    expect(await blobs.get('b')).toBeNull();
    expect(await blobs.get('a')).toEqual(new Uint8Array(4));
    expect(await blobs.get('c')).toEqual(new Uint8Array(4));
    await blobs.put('big', new Uint8Array(11));
    expect(await blobs.get('big')).toBeNull();
    expect(await blobs.get('c')).toBeNull();
  });
});
