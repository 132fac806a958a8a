// One log entry and one metrics sample per request, keyed by the request id (which the gpu-node
// logs too, so a request can be followed across tiers).
import type { MiddlewareHandler } from 'hono';
import { RefsegError } from '../../shared/errors.ts';
import type { EdgeEnv, EdgeServices } from '../context.ts';

export function requestLog(s: Pick<EdgeServices, 'clock' | 'log' | 'metrics'>): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const start = s.clock.now();
    await next();
    const ms = s.clock.now() - start;
    const route = c.get('route') ?? 'unmatched';
    const status = c.res.status;
    s.metrics.inc('refseg_edge_requests_total', { route, method: c.req.method, status: String(status) });
    s.metrics.observe('refseg_edge_request_duration_seconds', ms / 1000, { route });
    const principal = c.get('principal');
    const failure = c.get('failure');
    s.log({
      time: new Date(start).toISOString(),
      requestId: c.get('requestId'),
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      route,
      status,
      ms,
      ...(principal?.kind === 'tenant' ? { tenant: principal.tenant } : principal ? { principal: principal.kind } : {}),
      ...(failure === undefined ? {} : { error: describeFailure(failure) }),
    });
  };
}

/** Expected failures (gpu-node down, upstream errors) by their detail; bugs with their stack. */
function describeFailure(err: unknown): string {
  if (err instanceof RefsegError && err.status !== 500) return `${err.name}: ${err.detail}`;
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
