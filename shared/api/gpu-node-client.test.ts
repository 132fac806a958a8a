import { afterEach, describe, expect, it, vi } from 'vitest';
import { TIMEOUT_HEADER } from './gpu-node.ts';
import { fetchReferenceVectors } from './gpu-node-client.ts';
import type { GpuPool } from './gpu-node-pool.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('gpu-node client', () => {
  it('sends the attempt\'s timeout, its abort signal, and the caller\'s tenant and signal to the pool', async () => {
    const seen: { headers?: Headers; signal?: AbortSignal | null } = {};
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.headers = new Headers(init.headers);
      seen.signal = init.signal;
      return new Response(JSON.stringify({ type: 'https://refseg.dev/problems/empty-reference', title: 't', status: 422, detail: 'd' }), {
        status: 422,
        headers: { 'Content-Type': 'application/problem+json' },
      });
    });
    const attemptSignal = new AbortController().signal;
    const callerSignal = new AbortController().signal;
    let options: Parameters<GpuPool['call']>[1] | undefined;
    const pool = {
      call: (fn: Parameters<GpuPool['call']>[0], o: Parameters<GpuPool['call']>[1]) => {
        options = o;
        return fn({ url: 'http://node', signal: attemptSignal, timeoutMs: 1234 });
      },
    } as unknown as GpuPool;
    const ctx = { secret: 's', requestId: 'r1', tenant: 't1', signal: callerSignal };
    const req = { image: new Uint8Array([1]), imageType: 'image/png', annotations: [], exif: 'apply' as const, modelId: 'm' };
    await expect(fetchReferenceVectors(pool, ctx, req)).rejects.toMatchObject({ status: 422 });
    expect(seen.headers?.get(TIMEOUT_HEADER)).toBe('1234');
    expect(seen.signal).toBe(attemptSignal);
    expect(options).toMatchObject({ tenant: 't1', signal: callerSignal, idempotent: true });
  });
});
