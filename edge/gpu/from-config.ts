// The pool every adapter builds from the configuration, probing nodes with GET /v1/info. A call
// that finds every node full waits for room as long as it would wait for a node's answer.
import { probeNode } from '../../shared/api/gpu-node-client.ts';
import { createGpuPool } from '../../shared/api/gpu-node-pool.ts';
import type { GpuPool } from '../../shared/api/gpu-node-pool.ts';
import type { EdgeConfig } from '../config.ts';

export function gpuPoolFromConfig(config: EdgeConfig, now?: () => number): GpuPool {
  const { urls, strategy, timeoutMs, healthIntervalMs, healthTimeoutMs, secret } = config.gpu;
  return createGpuPool({ urls, strategy, timeoutMs, healthIntervalMs, healthTimeoutMs, queueWaitMs: timeoutMs, now, probe: (url, signal) => probeNode(url, secret, signal) });
}
