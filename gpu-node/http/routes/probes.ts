// GET /healthz (the process answers), /readyz (the models are loaded), /v1/info (what this node
// computes with) and /metrics (Prometheus text).
import type { Hono } from 'hono';
import { GPU_NODE_PATHS } from '../../../shared/api/gpu-node.ts';
import type { GpuNodeInfo } from '../../../shared/api/gpu-node.ts';
import { PROPOSAL_PRESETS } from '../../pipeline/index.ts';
import type { NodeEnv } from '../env.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics.ts';
import type { NodeMetrics } from '../node-metrics.ts';
import type { NodeState } from '../node-state.ts';

export interface InfoLimits {
  maxBodyBytes: number;
  maxPixels: number;
  maxConcurrent: number;
  maxQueued: number;
}

export function healthRoutes(app: Hono<NodeEnv>, state: NodeState): void {
  app.get(GPU_NODE_PATHS.healthz, (c) => c.json({ status: 'ok' }));
  app.get(GPU_NODE_PATHS.readyz, (c) => {
    const pipeline = state.require();
    return c.json({ status: 'ready', modelId: pipeline.modelId });
  });
}

export function infoRoute(app: Hono<NodeEnv>, state: NodeState, limits: InfoLimits): void {
  app.get(GPU_NODE_PATHS.info, (c) => {
    const pipeline = state.require();
    const { sam2, dino, provider, workers } = pipeline.info;
    const body: GpuNodeInfo = {
      modelId: pipeline.modelId,
      dim: dino.dim,
      registers: dino.registers,
      presets: [...PROPOSAL_PRESETS],
      defaultPreset: 'official',
      pipelineIds: Object.fromEntries(PROPOSAL_PRESETS.map((preset) => [preset, pipeline.pipelineId(preset)])),
      layout: sam2.layout,
      sam2Variant: sam2.variant,
      noMemEmbed: sam2.noMemEmbed,
      maskClip: sam2.maskClip,
      provider,
      standin: pipeline.info.standin,
      workers,
      limits,
    };
    return c.json(body);
  });
}

export function metricsRoute(app: Hono<NodeEnv>, metrics: NodeMetrics): void {
  app.get(GPU_NODE_PATHS.metrics, (c) => c.body(metrics.registry.render(), 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE }));
}
