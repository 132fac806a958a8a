// What the app is made of (its dependencies, given by the runtime adapter) and what its
// routes share (services built from them once per app).
import type { DeviceFileSource } from './device/files.ts';
import type { GpuNodeInfo } from '../shared/api/gpu-node.ts';
import { ServiceUnavailableError } from '../shared/errors.ts';
import type { Principal } from './auth/index.ts';
import { createApiKeyStore } from './auth/index.ts';
import type { ApiKeyStore } from './auth/index.ts';
import { createBankService } from './banks/index.ts';
import type { BankService } from './banks/index.ts';
import type { EdgeConfig } from './config.ts';
import type { GpuPool } from '../shared/api/gpu-node-pool.ts';
import { createMetrics } from './metrics.ts';
import type { Metrics } from './metrics.ts';
import { createCandidateCache } from './segment/candidate-cache.ts';
import type { CandidateCache } from './segment/candidate-cache.ts';
import { createImageStore } from './segment/image-store.ts';
import type { ImageStore } from './segment/image-store.ts';
import type { Storage } from './storage/contract.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export type LogEntry = Record<string, unknown>;

export interface EdgeDeps {
  storage: Storage;
  gpu: GpuPool;
  config: EdgeConfig;
  clock?: Clock;
  metrics?: Metrics;
  /** One structured entry per request (default: a JSON line on the console, unless config.log is 'off'). */
  log?: (entry: LogEntry) => void;
  /** Files for the browser's on-device engine, on runtimes with a file system (edge/device/files.ts). */
  deviceFiles?: DeviceFileSource;
}

export interface EdgeServices {
  config: EdgeConfig;
  storage: Storage;
  gpu: GpuPool;
  clock: Clock;
  metrics: Metrics;
  log: (entry: LogEntry) => void;
  keys: ApiKeyStore;
  candidates: CandidateCache;
  images: ImageStore;
  /** Banks of the model the gpu-nodes serve; 503 while no gpu-node has ever answered. */
  banks(): Promise<BankService>;
  /** Info of a gpu-node serving `modelId` (last known, even when it is down now); 503 if none. */
  model(modelId?: string): Promise<GpuNodeInfo>;
}

export type EdgeEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
    /** Route template, for logs and metrics. */
    route: string;
    /** The error behind a 5xx, for the request log. */
    failure: unknown;
  };
};

export function createServices(deps: EdgeDeps): EdgeServices {
  const clock = deps.clock ?? { now: () => Date.now() };
  const metrics = deps.metrics ?? createMetrics();
  const config = deps.config;
  const log = deps.log ?? (config.log === 'off' ? () => {} : (entry: LogEntry) => console.log(JSON.stringify(entry)));
  const bankServices = new Map<string, BankService>();
  const retryAfter = Math.max(1, Math.ceil(config.gpu.healthIntervalMs / 1000));

  async function model(modelId?: string): Promise<GpuNodeInfo> {
    await deps.gpu.info();
    const known = deps.gpu
      .status()
      .filter((n) => n.info !== null && (modelId === undefined || n.info.modelId === modelId))
      .sort((a, b) => Number(b.healthy) - Number(a.healthy));
    const info = known[0]?.info;
    if (!info) {
      const which = modelId === undefined ? '' : ` serving model "${modelId}"`;
      throw new ServiceUnavailableError(`No gpu-node${which} has answered yet, so the model is unknown. Retry later.`, retryAfter);
    }
    return info;
  }

  return {
    config,
    storage: deps.storage,
    gpu: deps.gpu,
    clock,
    metrics,
    log,
    keys: createApiKeyStore(deps.storage.kv, { now: () => new Date(clock.now()) }),
    candidates: createCandidateCache({
      blobs: deps.storage.blobs,
      ttlSeconds: config.cacheTtlSeconds,
      // One attempt and its retry.
      waitMs: 2 * config.gpu.timeoutMs,
      onLookup: (result) => metrics.inc('refseg_edge_candidate_cache_total', { result }),
    }),
    images: createImageStore(deps.storage.blobs, config.imageTtlSeconds),
    model,
    async banks() {
      const info = await model();
      let service = bankServices.get(info.modelId);
      if (!service) {
        service = createBankService({
          kv: deps.storage.kv,
          modelId: info.modelId,
          pipelineId: info.pipelineIds[info.defaultPreset],
          dim: info.dim,
          now: () => new Date(clock.now()),
        });
        bankServices.set(info.modelId, service);
      }
      return service;
    },
  };
}
