// A model worker without models, for WorkerPool tests: `patchFeatures` waits pixels[0] ms and
// answers [threadId]; pixels[1] = 1 makes the thread exit mid-job, 2 throws an uncaught error.
import { parentPort, threadId } from 'node:worker_threads';
import type { WorkerMessage } from '../../gpu-node/models/protocol.ts';

const port = parentPort!;

port.on('message', ({ id, req }: { id: number; req: { op: string; pixels: Float32Array } }) => {
  const [ms, crash] = req.pixels;
  if (crash === 1) process.exit(3);
  if (crash === 2) {
    setImmediate(() => {
      throw new Error('stand-in worker failure');
    });
    return;
  }
  setTimeout(() => port.postMessage({ type: 'result', id, result: Float32Array.of(threadId) } satisfies WorkerMessage), ms);
});

port.postMessage({ type: 'ready', info: { sam2: {}, dino: {} } } as unknown as WorkerMessage);
