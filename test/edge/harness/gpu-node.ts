// A real gpu-node (gpu-node/http) on generated stand-in models, on 127.0.0.1: what the edge
// talks to in the cross-runtime tests and the walk-through check.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveGpuNode } from '../../../gpu-node/http/server.ts';
import { openPipeline } from '../../../gpu-node/pipeline/index.ts';
import { generateStandins } from '../../../gpu-node/standin/generate.ts';

export const GPU_SECRET = 'test-gpu-secret-0123456789';

export interface StandinGpuNode {
  url: string;
  secret: string;
  modelId: string;
  close(): Promise<void>;
}

export async function startStandinGpuNode(options: { port?: number; log?: (line: string) => void } = {}): Promise<StandinGpuNode> {
  const dir = await mkdtemp(join(tmpdir(), 'refseg-standin-'));
  const paths = await generateStandins(dir);
  const pipeline = await openPipeline({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads: { intraOp: 1 } });
  const node = await serveGpuNode({ pipeline, secret: GPU_SECRET, port: options.port ?? 0, log: options.log ?? (() => {}), limits: { maxQueued: 64 } });
  return {
    url: node.url,
    secret: GPU_SECRET,
    modelId: pipeline.modelId,
    async close() {
      await node.close();
      await pipeline.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
