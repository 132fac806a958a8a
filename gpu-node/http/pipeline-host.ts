// The pipeline thread (see pipeline-thread.ts): opens the pipeline (whose model workers are
// nested threads of this one) and runs every request's CPU work here, off the HTTP thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { GpuPipeline, PipelineOptions } from '../pipeline/index.ts';
import { openPipeline } from '../pipeline/index.ts';
import { runForCaller } from '../models/job-context.ts';
import { serializeProblem } from './pipeline-protocol.ts';
import type { HostMessage, MainMessage } from './pipeline-protocol.ts';

const port = parentPort!;
const post = (msg: HostMessage) => port.postMessage(msg);
const options = (workerData as { options: PipelineOptions }).options;

let pipeline: GpuPipeline;
try {
  pipeline = await openPipeline(options);
} catch (err) {
  post({ type: 'failed', error: serializeProblem(err) });
  throw err;
}

const running = new Map<number, AbortController>();

port.on('message', async (msg: MainMessage) => {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  if (msg.type === 'close') {
    await pipeline.close();
    post({ type: 'closed' });
    port.close();
    return;
  }
  const { id, call } = msg;
  const controller = new AbortController();
  running.set(id, controller);
  // The deadline travels as the time left, since each thread has its own performance clock.
  const caller = { signal: controller.signal, ...(msg.remainingMs === undefined ? {} : { deadline: performance.now() + msg.remainingMs }) };
  const observe = (stage: Parameters<NonNullable<PipelineOptions['observe']>>[0], ms: number) => post({ type: 'stage', id, stage, ms });
  try {
    const value = await runForCaller<unknown>(caller, () => {
      switch (call.method) {
        case 'candidates':
          return pipeline.candidates(call.bytes, { ...call.request, observe });
        case 'referenceVectors':
          return pipeline.referenceVectors(call.bytes, call.annotations, { ...call.request, observe });
        case 'previewMask':
          return pipeline.previewMask(call.bytes, call.prompt, { ...call.request, observe });
        case 'segment':
          return pipeline.segment(call.bytes, call.prototypes, { ...call.request, observe });
      }
    });
    post({ type: 'result', id, value, load: pipeline.models.load() });
  } catch (err) {
    post({ type: 'error', id, error: serializeProblem(err), load: pipeline.models.load() });
  } finally {
    running.delete(id);
  }
});

post({ type: 'ready', info: pipeline.info, modelId: pipeline.modelId });
