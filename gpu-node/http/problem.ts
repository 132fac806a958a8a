// Every error leaves the node as problem+json through toProblem (shared/errors.ts). Hono's own
// HTTP exceptions (malformed bodies it parsed) are mapped onto the same hierarchy first.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { BadRequestError, NotFoundError, PayloadTooLargeError, RefsegError, toProblem } from '../../shared/errors.ts';
import type { NodeEnv } from './env.ts';
import type { LogLine } from './middleware/request-id.ts';

function fromHttpException(err: HTTPException): RefsegError {
  if (err.status === 413) return new PayloadTooLargeError(0, { cause: err });
  if (err.status >= 400 && err.status < 500) return new BadRequestError(err.message || 'The request is malformed.', { cause: err });
  return new BadRequestError('The request could not be read.', { cause: err });
}

export function problemHandler(log: LogLine) {
  return (err: unknown, c: Context<NodeEnv>): Response => {
    const requestId = c.get('requestId') ?? 'unknown';
    const mapped = err instanceof HTTPException ? fromHttpException(err) : err;
    const problem = toProblem(mapped, requestId);
    if (problem.status >= 500 && problem.status !== 503) {
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(JSON.stringify({ time: new Date().toISOString(), requestId, level: 'error', error: text }));
    }
    return new Response(JSON.stringify(problem.body), { status: problem.status, headers: problem.headers });
  };
}

export function notFoundHandler(log: LogLine) {
  const render = problemHandler(log);
  return (c: Context<NodeEnv>): Response => render(new NotFoundError('route', `${c.req.method} ${c.req.path}`), c);
}
