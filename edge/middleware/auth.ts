// `Authorization: Bearer` is checked before anything reads the body: an unauthenticated upload
// costs the edge one header lookup (and at most one storage read for the key).
import type { MiddlewareHandler } from 'hono';
import { authenticate, requireAdmin, requireTenant } from '../auth/index.ts';
import type { EdgeEnv, EdgeServices } from '../context.ts';
import type { Access } from '../openapi/route.ts';

export function auth(access: Exclude<Access, 'public'>, s: Pick<EdgeServices, 'keys' | 'config'>): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const principal = await authenticate(c.req.header('Authorization'), { keys: s.keys, adminKey: s.config.adminKey });
    if (access === 'admin') requireAdmin(principal);
    else requireTenant(principal);
    c.set('principal', principal);
    await next();
  };
}

/** The tenant of a request that passed `auth('tenant')`. */
export function tenantOf(c: { get(key: 'principal'): EdgeEnv['Variables']['principal'] }): string {
  return requireTenant(c.get('principal'));
}
