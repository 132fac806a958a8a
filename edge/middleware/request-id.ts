// X-Request-Id: the caller's id is kept when it is a plain token of 1–128 characters (the same
// rule as the gpu-node's, so the id it logs is the edge's), else one is generated; it is echoed
// on every response, problems included, and passed to the gpu-node.
import type { MiddlewareHandler } from 'hono';
import type { EdgeEnv } from '../context.ts';

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const given = c.req.header('X-Request-Id');
    const id = given !== undefined && REQUEST_ID_PATTERN.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
