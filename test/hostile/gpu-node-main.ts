// A stand-in gpu-node as a process of its own, on a fixed port, so the hostile suite can kill -9
// or SIGSTOP it and start it again where the edge expects it.
//   REFSEG_TEST_GPU_PORT=8123 REFSEG_TEST_MODELS=/tmp/models npx tsx test/hostile/gpu-node-main.ts
import { serveGpuNode } from '../../gpu-node/http/server.ts';
import { openPipeline } from '../../gpu-node/pipeline/index.ts';
import { generateStandins } from '../../gpu-node/standin/generate.ts';
import { GPU_PROC_SECRET } from './processes.ts';

const port = Number(process.env.REFSEG_TEST_GPU_PORT);
const dir = process.env.REFSEG_TEST_MODELS;
if (!Number.isInteger(port) || port <= 0 || !dir) {
  console.error('set REFSEG_TEST_GPU_PORT and REFSEG_TEST_MODELS');
  process.exit(2);
}
const paths = await generateStandins(dir);
const pipeline = await openPipeline({ sam2Dir: paths.sam2A.dir, dinoPath: paths.dino, threads: { intraOp: 1 } });
const node = await serveGpuNode({ pipeline, secret: GPU_PROC_SECRET, port, log: () => {}, limits: { maxQueued: 64 } });
console.log(`gpu-node listening on ${node.url}`);
const stop = async () => {
  await node.close();
  await pipeline.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
