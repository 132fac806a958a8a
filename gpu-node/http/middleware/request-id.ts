// X-Request-Id: a caller's id is kept when it is a plain token (the edge passes its own), else one
// is made; it is echoed on every response, problem documents included, and logged with the
// request's outcome.
import { createMiddleware } from 'hono/factory';
import { REQUEST_ID_HEADER } from '../../../shared/api/gpu-node.ts';
import type { NodeEnv } from '../env.ts';

const ACCEPTED = /^[A-Za-z0-9._:-]{1,128}$/;

export type LogLine = (line: string) => void;

export function requestId(log: LogLine) {
  return createMiddleware<NodeEnv>(async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    const id = given !== undefined && ACCEPTED.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    const t0 = performance.now();
    await next();
    c.header(REQUEST_ID_HEADER, id);
    log(
      JSON.stringify({
        time: new Date().toISOString(),
        requestId: id,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - t0),
      }),
    );
  });
}
