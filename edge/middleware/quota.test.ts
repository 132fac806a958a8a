import { describe, expect, it } from 'vitest';
import { toProblem } from '../../shared/errors.ts';
import { createQuota, TooManyRequestsError } from './quota.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('per-key quota', () => {
  const defaults = { requestsPerMinute: 60, burst: 3, concurrent: 2 };

  it('lets a burst through, then one request per refill interval, with Retry-After until the next token', () => {
    let now = 0;
    const quota = createQuota({ defaults: { ...defaults, concurrent: 100 }, clock: { now: () => now } });
    for (let i = 0; i < 3; i++) quota.acquire('k1', {})();
    const err = thrown(() => quota.acquire('k1', {}));
    expect(err).toBeInstanceOf(TooManyRequestsError);
    const problem = toProblem(err, 'r');
    expect(problem.status).toBe(429);
    expect(problem.headers['Retry-After']).toBe('1');
    expect(problem.body).toMatchObject({ type: 'https://refseg.dev/problems/too-many-requests', retryAfter: 1, limits: { requestsPerMinute: 60, burst: 3 } });
    // Another key has its own bucket.
    quota.acquire('k2', {})();
    now += 999;
    expect(() => quota.acquire('k1', {})).toThrow(TooManyRequestsError);
    now += 1;
    quota.acquire('k1', {})();
    // A key of one request per minute waits a minute.
    quota.acquire('k3', { requestsPerMinute: 1, burst: 1 })();
    expect((thrown(() => quota.acquire('k3', { requestsPerMinute: 1, burst: 1 })) as TooManyRequestsError).retryAfterSeconds).toBe(60);
  });

  it('caps the requests in progress of a key; a finished request frees its slot', () => {
    const quota = createQuota({ defaults: { ...defaults, burst: 100, requestsPerMinute: 6000 }, clock: { now: () => 0 } });
    const a = quota.acquire('k', {});
    const b = quota.acquire('k', {});
    const err = thrown(() => quota.acquire('k', {})) as TooManyRequestsError;
    expect(err.detail).toMatch(/2 requests in progress/);
    expect(quota.inFlight('k')).toBe(2);
    a();
    a();
    expect(quota.inFlight('k')).toBe(1);
    quota.acquire('k', {});
    b();
    // The key's own limit overrides the default.
    quota.acquire('k', { concurrent: 5 });
    quota.acquire('k', { concurrent: 5 });
    expect(quota.inFlight('k')).toBe(3);
  });
});
