// Every error leaves the app as problem+json carrying the request id (shared/errors.ts toProblem).
// Headers already set on the context (X-Request-Id, CORS) are merged in by Hono.
import type { Context } from 'hono';
import { NotFoundError, toProblem } from '../../shared/errors.ts';
import type { EdgeEnv } from '../context.ts';

export function problemResponse(c: Context<EdgeEnv>, err: unknown): Response {
  const problem = toProblem(err, c.get('requestId') ?? '');
  // Kept for the request log: what a 5xx hides from the client, the operator needs.
  if (problem.status >= 500) c.set('failure', err);
  return new Response(JSON.stringify(problem.body), { status: problem.status, headers: problem.headers });
}

/** Unknown paths: a 404 problem naming the path. */
export function routeNotFound(c: Context<EdgeEnv>): Response {
  return problemResponse(c, new NotFoundError('route', `${c.req.method} ${new URL(c.req.url).pathname}`));
}
