// Every error leaves the app as problem+json carrying the request id (shared/errors.ts toProblem).
// Headers already set on the context (X-Request-Id, CORS) are merged in by Hono.
//
// Failures of the service itself (502, 503, 504) reach tenants as a plain message: the detail a
// gpu-node or the pool wrote names internal URLs and their error text, which is the operator's
// business (request log, GET /v1/admin/status), not the tenant's. Only errors written for
// tenants (PublicUnavailableError) keep their detail.
import type { Context } from 'hono';
import { NotFoundError, RefsegError, ServiceUnavailableError, toProblem } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';
import type { EdgeEnv } from '../context.ts';

/** A 503 whose detail and extra members were written to be shown to anyone. */
export class PublicUnavailableError extends ServiceUnavailableError {}

const PLAIN_DETAIL: Record<number, string> = {
  502: 'The segmentation back end failed on this request. Retry; if it persists, quote the requestId to the operator.',
  503: 'The service cannot take this request right now. Retry after the time in Retry-After; if it persists, quote the requestId to the operator.',
  504: 'The segmentation back end did not answer in time. Retry; if it persists, quote the requestId to the operator.',
};

/** What a client may see of `err`: upstream and availability failures without their detail. */
export function publicError(err: unknown): unknown {
  if (!(err instanceof RefsegError) || err instanceof PublicUnavailableError) return err;
  const plain = PLAIN_DETAIL[err.status];
  if (plain === undefined) return err;
  if (err instanceof ServiceUnavailableError) return new ServiceUnavailableError(plain, err.retryAfterSeconds);
  return new PlainFailure(err.status, err, plain);
}

class PlainFailure extends RefsegError {
  constructor(status: number, original: RefsegError, detail: string, options: RefsegErrorOptions = {}) {
    super(status, original.type.replace(/^.*\/problems\//, ''), original.title, detail, options);
  }
}

export function problemResponse(c: Context<EdgeEnv>, err: unknown): Response {
  const problem = toProblem(publicError(err), c.get('requestId') ?? '');
  // Kept for the request log: what a 5xx hides from the client, the operator needs.
  if (problem.status >= 500) c.set('failure', err);
  return new Response(JSON.stringify(problem.body), { status: problem.status, headers: problem.headers });
}

/** Unknown paths: a 404 problem naming the path. */
export function routeNotFound(c: Context<EdgeEnv>): Response {
  return problemResponse(c, new NotFoundError('route', `${c.req.method} ${new URL(c.req.url).pathname}`));
}
