// The pool every adapter builds from the configuration, probing nodes with GET /v1/info.
import type { EdgeConfig } from '../config.ts';
import { probeNode } from './client.ts';
import { createGpuPool } from './pool.ts';
import type { GpuPool } from './pool.ts';

export function gpuPoolFromConfig(config: EdgeConfig, now?: () => number): GpuPool {
  const { urls, strategy, timeoutMs, healthIntervalMs, healthTimeoutMs, secret } = config.gpu;
  return createGpuPool({ urls, strategy, timeoutMs, healthIntervalMs, healthTimeoutMs, now, probe: (url, signal) => probeNode(url, secret, signal) });
}
