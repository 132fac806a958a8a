// CORS for browser clients, from configuration: no origins → no CORS headers at all.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { EdgeEnv } from '../context.ts';

export function corsFor(origins: readonly string[]): MiddlewareHandler<EdgeEnv> | null {
  if (origins.length === 0) return null;
  return cors({
    origin: origins.includes('*') ? '*' : [...origins],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'Content-Disposition'],
    maxAge: 600,
  });
}
