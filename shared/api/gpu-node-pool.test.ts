import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError, toProblem } from '../errors.ts';
import type { GpuNodeInfo } from './gpu-node.ts';
import { GpuNodeFailedError, GpuNodeRejectedError, GpuNodeUnavailableError } from './gpu-node-errors.ts';
import { createGpuPool, GpuCallCancelledError } from './gpu-node-pool.ts';
import type { GpuPoolOptions } from './gpu-node-pool.ts';

const info = (modelId: string): GpuNodeInfo => ({
  modelId,
  dim: 8,
  registers: 0,
  presets: ['official'],
  defaultPreset: 'official',
  pipelineIds: { official: 'official/v1', 'sam2-amg': 'amg/v1' },
  layout: 'onnx-community',
  noMemEmbed: 'removed',
  provider: 'cpu',
  standin: false,
  workers: 1,
  limits: { maxBodyBytes: 1, maxPixels: 1, maxConcurrent: 1, maxQueued: 0 },
});

function pool(overrides: Partial<GpuPoolOptions> & { down?: Set<string>; models?: Record<string, string> } = {}) {
  const down = overrides.down ?? new Set<string>();
  const probes: string[] = [];
  let t = 0;
  const p = createGpuPool({
    urls: ['http://a', 'http://b', 'http://c'],
    strategy: 'least-busy',
    timeoutMs: 60,
    healthIntervalMs: 1000,
    healthTimeoutMs: 50,
    now: () => t,
    async probe(url) {
      probes.push(url);
      if (down.has(url)) throw new Error('connection refused');
      return info(overrides.models?.[url] ?? 'm1');
    },
    ...overrides,
  });
  return { pool: p, probes, down, advance: (ms: number) => void (t += ms) };
}

const never = () => new Promise<never>(() => {});

describe('gpu pool choice', () => {
  it('sends each call to the least busy healthy node', async () => {
    const { pool: p } = pool();
    const release: (() => void)[] = [];
    const hold = (a: { url: string }) =>
      new Promise<string>((resolve) => release.push(() => resolve(a.url)));
    const first = p.call(hold, { idempotent: true, what: 'x' });
    const second = p.call(hold, { idempotent: true, what: 'x' });
    await new Promise((r) => setTimeout(r, 5));
    // Two busy nodes; the third call must go to the idle one.
    const third = await p.call(async (a) => a.url, { idempotent: true, what: 'x' });
    release.forEach((r) => r());
    const urls = [await first, await second, third];
    expect(new Set(urls).size).toBe(3);
    expect(p.status().map((n) => n.inFlight)).toEqual([0, 0, 0]);
  });

  it('round-robin takes the nodes in turn', async () => {
    const { pool: p } = pool({ strategy: 'round-robin' });
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) urls.push(await p.call(async (a) => a.url, { idempotent: false, what: 'x' }));
    expect(urls).toEqual(['http://a', 'http://b', 'http://c', 'http://a', 'http://b', 'http://c']);
  });

  it('uses only nodes of the requested model', async () => {
    const { pool: p } = pool({ models: { 'http://b': 'm2' } });
    for (let i = 0; i < 4; i++) expect(await p.call(async (a) => a.url, { idempotent: false, what: 'x', modelId: 'm2' })).toBe('http://b');
    await expect(p.call(async (a) => a.url, { idempotent: false, what: 'x', modelId: 'm3' })).rejects.toThrow(/No gpu-node for model "m3"/);
  });
});

describe('gpu pool failures', () => {
  it('abandons a node that does not answer in time and retries an idempotent call on another', async () => {
    const { pool: p } = pool({ strategy: 'round-robin' });
    const t0 = performance.now();
    const url = await p.call((a) => (a.url === 'http://a' ? never() : Promise.resolve(a.url)), { idempotent: true, what: 'candidates' });
    const elapsed = performance.now() - t0;
    expect(['http://b', 'http://c']).toContain(url);
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(elapsed).toBeLessThan(1000);
    const a = p.status()[0];
    expect(a.healthy).toBe(false);
    expect(a.lastError).toBe('gpu-node http://a did not answer candidates within 60 ms.');
    expect(a.inFlight).toBe(0);
  });

  it('probes a node again at once after a call timed out, and takes it back when it answers', async () => {
    const { pool: p, probes } = pool({ urls: ['http://a'], healthIntervalMs: 60_000 });
    await expect(p.call(() => never(), { idempotent: false, what: 'segment' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(p.status()[0].failures).toBe(1);
    // The next call waits for the re-probe instead of answering 503 for the rest of the interval.
    expect(await p.call(async (a) => a.url, { idempotent: false, what: 'segment' })).toBe('http://a');
    expect(probes).toEqual(['http://a', 'http://a']);
  });

  it('aborts the attempt signal on timeout', async () => {
    const { pool: p } = pool();
    let signal: AbortSignal | null = null;
    await expect(
      p.call(
        (a) => {
          signal = a.signal;
          return never();
        },
        { idempotent: false, what: 'segment' },
      ),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(signal!.aborted).toBe(true);
  });

  it('does not retry a call that is not idempotent', async () => {
    const { pool: p } = pool();
    const seen: string[] = [];
    const err = await p
      .call(
        async (a) => {
          seen.push(a.url);
          throw new GpuNodeUnavailableError(a.url, 'is busy', { markDown: false });
        },
        { idempotent: false, what: 'x' },
      )
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(1);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    const problem = toProblem(err, 'r1');
    expect(problem.status).toBe(503);
    expect(problem.headers['Retry-After']).toBe('1');
    expect(problem.body.detail).toBe(`No gpu-node is available for x (gpu-node ${seen[0]} is busy.). Retry later.`);
    // Busy is not down.
    expect(p.status().every((n) => n.healthy)).toBe(true);
  });

  it('retries a 5xx once elsewhere, then reports the failure as 502', async () => {
    const { pool: p } = pool();
    const seen: string[] = [];
    const err = await p
      .call(
        async (a) => {
          seen.push(a.url);
          throw new GpuNodeFailedError(a.url, 'HTTP 500');
        },
        { idempotent: true, what: 'x' },
      )
      .catch((e: unknown) => e);
    expect(new Set(seen).size).toBe(2);
    expect(err).toBeInstanceOf(GpuNodeFailedError);
    expect((err as GpuNodeFailedError).status).toBe(502);
  });

  it('passes a 4xx of the node straight on, without retry', async () => {
    const { pool: p } = pool();
    let calls = 0;
    const rejected = new GpuNodeRejectedError({ type: 'https://refseg.dev/problems/corrupt-image', title: 'Image cannot be decoded', status: 422, detail: 'bad', requestId: 'r' });
    await expect(
      p.call(
        async () => {
          calls++;
          throw rejected;
        },
        { idempotent: true, what: 'x' },
      ),
    ).rejects.toBe(rejected);
    expect(calls).toBe(1);
    expect(toProblem(rejected, 'q').body).toMatchObject({ type: 'https://refseg.dev/problems/corrupt-image', status: 422, detail: 'bad', requestId: 'q' });
  });

  it('answers 503 with Retry-After when no node is healthy, and finds a recovered node at the next round', async () => {
    const { pool: p, down, advance, probes } = pool({ down: new Set(['http://a', 'http://b', 'http://c']), healthIntervalMs: 5000 });
    const err = await p.call(async (a) => a.url, { idempotent: true, what: 'candidates' }).catch((e: unknown) => e);
    expect(toProblem(err, 'r').headers['Retry-After']).toBe('5');
    expect(probes).toHaveLength(3);
    down.delete('http://c');
    // Within the interval nothing is probed again.
    await expect(p.call(async (a) => a.url, { idempotent: true, what: 'candidates' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(probes).toHaveLength(3);
    advance(5000);
    expect(await p.call(async (a) => a.url, { idempotent: true, what: 'candidates' })).toBe('http://c');
    expect(probes).toHaveLength(6);
  });

  it('marks a node down when a probe hangs past the health timeout', async () => {
    const { pool: p } = pool({ probe: (url) => (url === 'http://b' ? never() : Promise.resolve(info('m1'))) });
    await p.checkAll();
    expect(p.status().map((n) => [n.healthy, n.lastError])).toEqual([
      [true, null],
      [false, 'no answer within 50 ms'],
      [true, null],
    ]);
    expect((await p.info())?.modelId).toBe('m1');
  });
});

describe('gpu pool admission', () => {
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('makes calls wait for room when every node is full, and all of them land', async () => {
    // Each node holds one call (maxConcurrent 1 + maxQueued 0); 12 calls on 3 nodes.
    const { pool: p } = pool({ queueWaitMs: 5000 });
    let running = 0;
    let most = 0;
    const work = async (a: { url: string }) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return a.url;
    };
    const urls = await Promise.all(Array.from({ length: 12 }, () => p.call(work, { idempotent: false, what: 'x' })));
    expect(urls).toHaveLength(12);
    expect(most).toBe(3);
    expect(p.load()).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('without a wait budget a full pool answers 503 at once', async () => {
    const { pool: p } = pool();
    const release: (() => void)[] = [];
    const hold = () => new Promise<string>((resolve) => release.push(() => resolve('held')));
    const held = [0, 1, 2].map(() => p.call(hold, { idempotent: false, what: 'x' }));
    await tick();
    await expect(p.call(async () => 'late', { idempotent: false, what: 'x' })).rejects.toBeInstanceOf(ServiceUnavailableError);
    release.forEach((r) => r());
    await Promise.all(held);
  });

  it('gives a freed slot to the tenant with the fewest calls running, and caps a tenant at its fair share', async () => {
    const { pool: p } = pool({ queueWaitMs: 5000 });
    const order: string[] = [];
    const release: (() => void)[] = [];
    const hold = (name: string) => () =>
      new Promise<string>((resolve) => {
        order.push(name);
        release.push(() => resolve(name));
      });
    // Tenant a fills the pool (3 slots) and queues 3 more; then tenant b asks for 2.
    const aCalls = Array.from({ length: 6 }, (_, i) => p.call(hold(`a${i}`), { idempotent: false, what: 'x', tenant: 'a' }));
    await tick();
    const bCalls = Array.from({ length: 2 }, (_, i) => p.call(hold(`b${i}`), { idempotent: false, what: 'x', tenant: 'b' }));
    await tick();
    expect(order).toEqual(['a0', 'a1', 'a2']);
    expect(p.load().tenants.b).toEqual({ inFlight: 0, waiting: 2 });
    // The freed slot goes to b (no call running), not to a's older waiters.
    release.shift()!();
    await tick();
    expect(order.slice(3)).toEqual(['b0']);
    // Two tenants share 3 slots: a may hold ⌈3/2⌉ = 2 while b waits, so b gets the next one too.
    release.shift()!();
    await tick();
    expect(p.load().tenants.a.inFlight).toBeLessThanOrEqual(2);
    expect(order.slice(4)).toEqual(['b1']);
    while (release.length > 0 || order.length < 8) {
      release.shift()?.();
      await tick();
    }
    await Promise.all([...aCalls, ...bCalls]);
    expect(order.slice(5).sort()).toEqual(['a3', 'a4', 'a5']);
  });

  it('a cancelled call leaves the queue without ever starting, and an aborted attempt does not mark its node down', async () => {
    const { pool: p } = pool({ queueWaitMs: 5000 });
    const release: (() => void)[] = [];
    let started = 0;
    const hold = (a: { signal: AbortSignal }) =>
      new Promise<string>((resolve, reject) => {
        started++;
        release.push(() => resolve('done'));
        a.signal.addEventListener('abort', () => reject(a.signal.reason));
      });
    const controller = new AbortController();
    const calls = Array.from({ length: 6 }, () => p.call(hold, { idempotent: true, what: 'x', signal: controller.signal }).catch((e: unknown) => e));
    await tick();
    expect(started).toBe(3);
    controller.abort();
    const results = await Promise.all(calls);
    expect(results.every((r) => r instanceof GpuCallCancelledError)).toBe(true);
    await tick();
    expect(started).toBe(3);
    expect(p.status().every((n) => n.healthy && n.inFlight === 0 && n.failures === 0)).toBe(true);
    expect(p.load()).toMatchObject({ inFlight: 0, waiting: 0 });
  });

  it('retries a node that answered busy after a pause, within the wait budget', async () => {
    const { pool: p } = pool({ urls: ['http://a'], queueWaitMs: 5000 });
    let calls = 0;
    const url = await p.call(
      async (a) => {
        calls++;
        if (calls < 3) throw new GpuNodeUnavailableError(a.url, 'is busy', { markDown: false });
        return a.url;
      },
      { idempotent: false, what: 'x' },
    );
    expect(url).toBe('http://a');
    expect(calls).toBe(3);
  });

  it('sends the attempt timeout with every attempt', async () => {
    const { pool: p } = pool();
    expect(await p.call(async (a) => a.timeoutMs, { idempotent: false, what: 'x' })).toBe(60);
  });
});
