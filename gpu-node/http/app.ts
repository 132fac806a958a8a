// The gpu-node's internal HTTP API as a Hono app (contract: shared/api/gpu-node.ts). Middleware
// order matters: the request id first (so every answer carries it), then metrics, the bearer
// check (before any body byte is read), the body limit (an oversized Content-Length is refused at
// once rather than after queueing), and the admission slot (before the body is read when its
// length is announced, as the edge does).
import { Hono } from 'hono';
import { GPU_NODE_PATHS } from '../../shared/api/gpu-node.ts';
import { DEFAULT_MAX_PIXELS } from '../preprocess/index.ts';
import type { GpuPipeline } from '../pipeline/index.ts';
import { Admission } from '../pipeline/admission.ts';
import type { NodeEnv } from './env.ts';
import { admit } from './middleware/admit.ts';
import { bearerAuth } from './middleware/auth.ts';
import { limitBody } from './middleware/body-limit.ts';
import { recordMetrics } from './middleware/record-metrics.ts';
import { requestId } from './middleware/request-id.ts';
import type { LogLine } from './middleware/request-id.ts';
import { createNodeMetrics } from './node-metrics.ts';
import type { NodeMetrics } from './node-metrics.ts';
import { NodeState } from './node-state.ts';
import { notFoundHandler, problemHandler } from './problem.ts';
import { candidatesRoute } from './routes/candidates.ts';
import { maskPreviewRoute } from './routes/mask-preview.ts';
import { healthRoutes, infoRoute, metricsRoute } from './routes/probes.ts';
import type { InfoLimits } from './routes/probes.ts';
import { referenceVectorsRoute } from './routes/reference-vectors.ts';
import { segmentRoute } from './routes/segment.ts';

export interface GpuNodeAppOptions {
  /** The pipeline, or its promise while the models load (/readyz answers 503 until then). */
  pipeline: GpuPipeline | Promise<GpuPipeline>;
  /** The edge's shared secret (Authorization: Bearer). */
  secret: string;
  limits?: Partial<InfoLimits>;
  /** One JSON line per request and per internal error. Default: standard error. */
  log?: LogLine;
}

export interface GpuNodeApp {
  app: Hono<NodeEnv>;
  state: NodeState;
  metrics: NodeMetrics;
  admission: Admission;
  limits: InfoLimits;
}

export const DEFAULT_LIMITS = {
  /** A 40 MP JPEG is rarely above 20 MB; PNGs of that size can be larger. */
  maxBodyBytes: 32 * 1024 * 1024,
  maxPixels: DEFAULT_MAX_PIXELS,
  maxConcurrent: 1,
  maxQueued: 8,
} as const satisfies InfoLimits;

const MODEL_ROUTES = [GPU_NODE_PATHS.candidates, GPU_NODE_PATHS.referenceVectors, GPU_NODE_PATHS.segment, GPU_NODE_PATHS.maskPreview];

export function createGpuNodeApp(options: GpuNodeAppOptions): GpuNodeApp {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const limits: InfoLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const state = new NodeState(options.pipeline);
  const admission = new Admission(limits.maxConcurrent, limits.maxQueued);
  const metrics = createNodeMetrics({
    admission: () => ({ running: admission.running, waiting: admission.waiting, cancelled: admission.cancelled }),
    models: () => state.pipeline?.models.load(),
  });

  const app = new Hono<NodeEnv>();
  app.onError(problemHandler(log));
  app.notFound(notFoundHandler(log));
  app.use('*', requestId(log));
  app.use('*', recordMetrics(metrics));
  app.use('/v1/*', bearerAuth(options.secret));
  app.use(GPU_NODE_PATHS.metrics, bearerAuth(options.secret));
  for (const path of MODEL_ROUTES) {
    app.use(path, limitBody(limits.maxBodyBytes));
    app.use(path, admit(admission));
  }

  const deps = { state, imageOptions: { maxPixels: limits.maxPixels, observe: metrics.observeStage } };
  healthRoutes(app, state);
  infoRoute(app, state, limits);
  metricsRoute(app, metrics);
  candidatesRoute(app, deps);
  referenceVectorsRoute(app, deps);
  segmentRoute(app, deps);
  maskPreviewRoute(app, deps);
  return { app, state, metrics, admission, limits };
}
