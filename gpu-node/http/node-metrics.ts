// The node's metrics: requests by route and status, request latency, queue depth, and the wall
// time of every pipeline stage (model runs apart from CPU work).
import type { Stage, StageObserver } from '../pipeline/index.ts';
import { MODEL_STAGES } from '../pipeline/index.ts';
import { LATENCY_BUCKETS, Registry } from './metrics.ts';
import type { Counter, Histogram } from './metrics.ts';
import type { ModelsLoad } from '../models/index.ts';

export interface QueueSources {
  admission(): { running: number; waiting: number; cancelled: number };
  /** Model worker pool, once the models are loaded. */
  models(): ModelsLoad | undefined;
}

export interface NodeMetrics {
  registry: Registry;
  requests: Counter;
  latency: Histogram;
  modelRun: Histogram;
  cpuStage: Histogram;
  observeStage: StageObserver;
}

export function createNodeMetrics(queues: QueueSources): NodeMetrics {
  const registry = new Registry();
  const requests = registry.counter('refseg_gpu_http_requests_total', 'HTTP requests by route, method and status.');
  const latency = registry.histogram('refseg_gpu_http_request_duration_seconds', 'HTTP request wall time by route.', LATENCY_BUCKETS);
  registry.gauge('refseg_gpu_queue_depth', 'Pipeline requests running and waiting for a slot, and model calls busy and queued in the worker pool.', () => {
    const a = queues.admission();
    const m = queues.models();
    return [
      { labels: { queue: 'requests', state: 'running' }, value: a.running },
      { labels: { queue: 'requests', state: 'waiting' }, value: a.waiting },
      { labels: { queue: 'models', state: 'busy' }, value: m?.busy ?? 0 },
      { labels: { queue: 'models', state: 'queued' }, value: m?.queued ?? 0 },
    ];
  });
  registry.collectedCounter('refseg_gpu_cancelled_total', 'Work dropped before it started because its caller had gone or its deadline had passed: whole requests, and model jobs.', () => [
    { labels: { queue: 'requests' }, value: queues.admission().cancelled },
    { labels: { queue: 'models' }, value: queues.models()?.cancelled ?? 0 },
  ]);
  registry.collectedCounter('refseg_gpu_model_jobs_started_total', 'Model jobs handed to a worker thread.', () => [{ labels: {}, value: queues.models()?.started ?? 0 }]);
  registry.collectedCounter('refseg_gpu_worker_restarts_total', 'Model worker threads replaced after they died (the job each held failed with 503).', () => [
    { labels: {}, value: queues.models()?.restarts ?? 0 },
  ]);
  const modelRun = registry.histogram('refseg_gpu_model_run_seconds', 'Wall time of model calls (SAM2 encoder, SAM2 decoder batches, DINOv2), incl. worker queueing.', LATENCY_BUCKETS);
  const cpuStage = registry.histogram('refseg_gpu_cpu_stage_seconds', 'Wall time of CPU stages on the main thread (decode, resizes, filtering, extraction, matching).', LATENCY_BUCKETS);
  const observeStage = (stage: Stage, ms: number) => (MODEL_STAGES.has(stage) ? modelRun : cpuStage).observe(MODEL_STAGES.has(stage) ? { model: stage } : { stage }, ms / 1000);
  return { registry, requests, latency, modelRun, cpuStage, observeStage };
}
