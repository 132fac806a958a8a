// Fair use per API key: a token bucket (requests per minute, with a burst) and a cap on the
// key's requests in progress, both answered with 429 + Retry-After before the body is read. A
// key's limits are stored with the key (set by the admin: PUT /v1/admin/keys/{keyId}/limits) and
// so survive restarts; the counters live in this process (Node, Deno) or isolate (Workers: each
// isolate counts on its own, so a key spread over n isolates gets up to n times its limits).
import type { MiddlewareHandler } from 'hono';
import { RefsegError } from '../../shared/errors.ts';
import type { KeyLimits } from '../auth/index.ts';
import type { Clock, EdgeEnv } from '../context.ts';
import type { Metrics } from '../metrics.ts';

export type ResolvedLimits = Required<KeyLimits>;

export class TooManyRequestsError extends RefsegError {
  readonly retryAfterSeconds: number;

  constructor(detail: string, retryAfterSeconds: number, extra: Record<string, unknown>) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(429, 'too-many-requests', 'Too many requests', detail, { extra: { ...extra, retryAfter: seconds } });
    this.retryAfterSeconds = seconds;
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

interface KeyState {
  limits: ResolvedLimits;
  tokens: number;
  /** Clock time of the last refill. */
  at: number;
  inFlight: number;
}

export interface QuotaOptions {
  defaults: ResolvedLimits;
  clock: Clock;
  metrics?: Metrics;
}

/** Keys whose bucket is full and which have nothing in progress carry no state worth keeping. */
const PRUNE_ABOVE = 10_000;

export function createQuota(options: QuotaOptions) {
  const states = new Map<string, KeyState>();

  const refilled = (st: KeyState, now: number) => Math.min(st.limits.burst, st.tokens + ((now - st.at) * st.limits.requestsPerMinute) / 60_000);

  function prune(now: number): void {
    for (const [keyId, st] of states) if (st.inFlight === 0 && refilled(st, now) >= st.limits.burst) states.delete(keyId);
  }

  /** Takes one token and one slot of `keyId`, or throws 429; the returned function gives the slot back. */
  function acquire(keyId: string, own: KeyLimits): () => void {
    const limits: ResolvedLimits = { ...options.defaults, ...own };
    const now = options.clock.now();
    if (states.size > PRUNE_ABOVE) prune(now);
    const st = states.get(keyId) ?? { limits, tokens: limits.burst, at: now, inFlight: 0 };
    states.set(keyId, st);
    // Limits changed by the admin apply from the next request on.
    st.limits = limits;
    st.tokens = refilled(st, now);
    st.at = now;
    const extra = { limits };
    if (st.tokens < 1) {
      options.metrics?.inc('refseg_edge_throttled_total', { reason: 'rate' });
      const wait = ((1 - st.tokens) * 60_000) / limits.requestsPerMinute / 1000;
      throw new TooManyRequestsError(`This API key may send ${limits.requestsPerMinute} requests per minute (bursts of ${limits.burst}); retry after the time in Retry-After.`, wait, extra);
    }
    if (st.inFlight >= limits.concurrent) {
      options.metrics?.inc('refseg_edge_throttled_total', { reason: 'concurrency' });
      throw new TooManyRequestsError(`This API key may have ${limits.concurrent} requests in progress at once; wait for one to finish.`, 1, extra);
    }
    st.tokens -= 1;
    st.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      st.inFlight -= 1;
    };
  }

  return {
    acquire,
    /** Requests of the key in progress now (for tests and status). */
    inFlight: (keyId: string) => states.get(keyId)?.inFlight ?? 0,
    middleware(): MiddlewareHandler<EdgeEnv> {
      return async (c, next) => {
        const principal = c.get('principal');
        if (principal?.kind !== 'tenant') return next();
        const release = acquire(principal.keyId, principal.limits);
        try {
          await next();
        } finally {
          release();
        }
      };
    },
  };
}

export type Quota = ReturnType<typeof createQuota>;
