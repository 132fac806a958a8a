// Liveness, readiness, metrics and status. /healthz and /readyz are public (load balancers probe
// them) and say nothing about the gpu-nodes but how many are healthy; /metrics and
// /v1/admin/status (each gpu-node's URL, load and last error) need the admin key.
import { z } from 'zod';
import { PublicUnavailableError } from '../middleware/problem.ts';
import type { EdgeServices } from '../context.ts';
import { AdminStatusSchema, HealthSchema, ReadinessSchema } from '../api/schemas.ts';
import { METRICS_CONTENT_TYPE } from '../metrics.ts';
import type { Router } from './router.ts';

export function healthRoutes(router: Router, s: EdgeServices): void {
  s.metrics.gauge('refseg_edge_gpu_node_up', 'Whether the gpu-node passed its last health check.', () =>
    s.gpu.status().map((n) => ({ labels: { url: n.url }, value: n.healthy ? 1 : 0 })),
  );
  s.metrics.gauge('refseg_edge_gpu_node_in_flight', 'Calls to the gpu-node in progress.', () => s.gpu.status().map((n) => ({ labels: { url: n.url }, value: n.inFlight })));
  s.metrics.gauge('refseg_edge_gpu_node_failures', 'Failed calls to the gpu-node since start.', () => s.gpu.status().map((n) => ({ labels: { url: n.url }, value: n.failures })));

  router.add(
    { method: 'get', path: '/healthz', operationId: 'healthz', summary: 'Liveness: the edge process answers.', tag: 'Operations', access: 'public', responses: { 200: { description: 'Alive.', schema: HealthSchema } } },
    (c) => c.json({ status: 'ok' as const }),
  );

  router.add(
    {
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: 'Readiness: storage answers and at least one gpu-node is healthy.',
      tag: 'Operations',
      access: 'public',
      responses: { 200: { description: 'Ready.', schema: ReadinessSchema } },
      problems: [503],
    },
    async (c) => {
      await s.gpu.info();
      const storageOk = await storageAnswers(s);
      const nodes = s.gpu.status();
      const status = { storage: s.storage.driver, storageOk, gpuNodes: { healthy: nodes.filter((n) => n.healthy).length, total: nodes.length } };
      if (!storageOk || status.gpuNodes.healthy === 0) {
        const why = storageOk ? 'no gpu-node is healthy' : 'storage does not answer';
        throw new PublicUnavailableError(`Not ready: ${why}.`, Math.ceil(s.config.gpu.healthIntervalMs / 1000), { extra: status });
      }
      return c.json({ status: 'ready' as const, ...status });
    },
  );

  router.add(
    {
      method: 'get',
      path: '/v1/admin/status',
      operationId: 'adminStatus',
      summary: 'Operator status: storage and every gpu-node with its URL, load, failures and last error.',
      description: 'What /readyz and the 5xx answers to tenants leave out; match a tenant\'s requestId with the edge\'s request log.',
      tag: 'Admin',
      access: 'admin',
      responses: { 200: { description: 'Status now.', schema: AdminStatusSchema } },
    },
    async (c) => {
      await s.gpu.info();
      const storageOk = await storageAnswers(s);
      const gpuNodes = s.gpu.status().map((n) => ({
        url: n.url,
        healthy: n.healthy,
        inFlight: n.inFlight,
        failures: n.failures,
        modelId: n.info?.modelId ?? null,
        lastError: n.lastError,
      }));
      return c.json({ storage: s.storage.driver, storageOk, gpuNodes });
    },
  );

  router.add(
    {
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics (requests, latency, cache hits, gpu-node health).',
      tag: 'Operations',
      access: 'admin',
      responses: { 200: { description: 'Prometheus text format 0.0.4.', schema: z.string(), contentType: METRICS_CONTENT_TYPE } },
    },
    (c) => c.body(s.metrics.render(), 200, { 'Content-Type': METRICS_CONTENT_TYPE }),
  );
}

function storageAnswers(s: EdgeServices): Promise<boolean> {
  return s.storage.kv.get('health/probe').then(
    () => true,
    () => false,
  );
}
