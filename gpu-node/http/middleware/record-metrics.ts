// Counts every response by route, method and status and times it. Unknown paths share one route
// label, so scanners cannot blow up the number of series.
import { createMiddleware } from 'hono/factory';
import { GPU_NODE_PATHS } from '../../../shared/api/gpu-node.ts';
import type { NodeEnv } from '../env.ts';
import type { NodeMetrics } from '../node-metrics.ts';

const KNOWN = new Set<string>(Object.values(GPU_NODE_PATHS));

export function recordMetrics(metrics: NodeMetrics) {
  return createMiddleware<NodeEnv>(async (c, next) => {
    const t0 = performance.now();
    await next();
    const route = KNOWN.has(c.req.path) ? c.req.path : 'other';
    metrics.requests.inc({ route, method: c.req.method, status: String(c.res.status) });
    metrics.latency.observe({ route }, (performance.now() - t0) / 1000);
  });
}
