// Registers a described route on the Hono app, with what its description asks for, in this
// order: route name (for logs), bearer auth (before any body byte is read), the tenant key's
// fair-use quota, body-size limit.
import type { Handler, Hono, MiddlewareHandler } from 'hono';
import type { EdgeEnv, EdgeServices } from '../context.ts';
import { auth } from '../middleware/auth.ts';
import { bodyLimitFor, limitBody } from '../middleware/body-limit.ts';
import { createQuota } from '../middleware/quota.ts';
import type { RouteSpec } from '../openapi/route.ts';

export interface Router {
  readonly routes: RouteSpec[];
  add(spec: RouteSpec, handler: Handler<EdgeEnv>): void;
}

export function createRouter(app: Hono<EdgeEnv>, s: EdgeServices): Router {
  const routes: RouteSpec[] = [];
  const quota = createQuota({ defaults: s.config.keyLimits, clock: s.clock, metrics: s.metrics });
  return {
    routes,
    add(spec, handler) {
      routes.push(spec);
      const chain: MiddlewareHandler<EdgeEnv>[] = [
        async (c, next) => {
          c.set('route', spec.path);
          await next();
        },
      ];
      if (spec.access !== 'public') chain.push(auth(spec.access, s));
      if (spec.access === 'tenant') chain.push(quota.middleware());
      const body = spec.body;
      if (body) chain.push(limitBody((c) => bodyLimitFor(body.limit ?? 'upload', c.req.header('Content-Type'), s.config)));
      app.on([spec.method.toUpperCase()], [spec.path], ...chain, handler);
    },
  };
}
