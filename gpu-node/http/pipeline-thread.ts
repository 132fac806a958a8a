// The served node's pipeline in a thread of its own, so that the thread answering HTTP does no
// CPU-heavy work: image decoding, resizes, rasterising and RLE decoding of reference masks,
// proposal filtering, candidate extraction and matching all run in the pipeline thread
// (pipeline-host.ts), the model runs in its nested worker threads. /healthz, /readyz and
// /metrics answer while a request computes.
//
// It implements GpuPipeline, so the HTTP app does not know the difference. Each call carries its
// caller (job-context.ts): a disconnect is forwarded as a cancel message and the deadline as the
// time left, so the model queue in the pipeline thread never starts abandoned work.
import type { Worker } from 'node:worker_threads';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import { InternalError, ServiceUnavailableError } from '../../shared/errors.ts';
import type { ModelsLoad, Models } from '../models/index.ts';
import { callerGone, currentCaller, JobCancelledError } from '../models/job-context.ts';
import { startModuleWorker } from '../models/pool.ts';
import type { GpuPipeline, PipelineOptions, ProposalRequest, RequestOptions, StageObserver } from '../pipeline/index.ts';
import { pipelineIdOf, resolveProposalConfig } from '../pipeline/index.ts';
import { reviveProblem } from './pipeline-protocol.ts';
import type { HostMessage, MainMessage, PipelineCall, SerializedProblem } from './pipeline-protocol.ts';

const HOST = new URL('./pipeline-host.ts', import.meta.url);

interface Pending {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  observe?: StageObserver;
}

function failure(error: HostMessage & { type: 'failed' }): Error {
  const e = error.error;
  if ('status' in e) return reviveProblem(e as SerializedProblem);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

export interface PipelineThreadHooks {
  /** Called with every pipeline thread started (the first and each replacement). */
  onThread?: (worker: Worker) => void;
}

/**
 * Opens the pipeline in a new thread; resolves once its models have loaded. A pipeline thread
 * that dies (its calls fail with 503) is replaced by a new one loading the same models; calls
 * meanwhile answer 503 + Retry-After.
 */
export async function openPipelineThread(options: PipelineOptions, hooks: PipelineThreadHooks = {}): Promise<GpuPipeline> {
  // Functions cannot cross: the thread logs to standard error itself, stages come back as messages.
  const { observe: ownObserve, log: _log, onLane: _onLane, ...plain } = options;
  let worker!: Worker;
  const pending = new Map<number, Pending>();
  let load: ModelsLoad = { busy: 0, queued: 0 };
  let stopped: Error | null = null;
  let restarting = false;
  let restarts = 0;
  let closing = false;
  let serial = 0;
  let onClosed: (() => void) | null = null;

  function spawn(): Promise<HostMessage & { type: 'ready' }> {
    const w = startModuleWorker(HOST, { options: plain });
    worker = w;
    hooks.onThread?.(w);
    let ready = false;
    return new Promise<HostMessage & { type: 'ready' }>((resolve, reject) => {
      w.on('message', (msg: HostMessage) => {
        switch (msg.type) {
          case 'ready':
            ready = true;
            resolve(msg);
            return;
          case 'failed':
            reject(failure(msg));
            return;
          case 'stage': {
            ownObserve?.(msg.stage, msg.ms);
            pending.get(msg.id)?.observe?.(msg.stage, msg.ms);
            return;
          }
          case 'result':
          case 'error': {
            load = msg.load;
            const p = pending.get(msg.id);
            pending.delete(msg.id);
            if (msg.type === 'result') p?.resolve(msg.value);
            else p?.reject(reviveProblem(msg.error));
            return;
          }
          case 'closed':
            onClosed?.();
        }
      });
      w.on('error', (err) => reject(err));
      w.on('exit', (code) => {
        const lost = new ServiceUnavailableError(`The pipeline thread stopped (exit code ${code}); it is being restarted. Retry the request.`, 5);
        reject(lost);
        for (const p of pending.values()) p.reject(lost);
        pending.clear();
        if (closing || !ready) {
          onClosed?.();
          return;
        }
        restarts++;
        restarting = true;
        load = { busy: 0, queued: 0 };
        spawn().then(
          () => (restarting = false),
          (err: unknown) => {
            restarting = false;
            stopped = new ServiceUnavailableError(`The pipeline thread could not be restarted: ${err instanceof Error ? err.message : String(err)}`, 60);
          },
        );
      });
    });
  }

  const { info, modelId } = await spawn().catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });

  function call<T>(c: PipelineCall, observe: StageObserver | undefined): Promise<T> {
    if (stopped) return Promise.reject(stopped);
    if (restarting) return Promise.reject(new ServiceUnavailableError('The pipeline thread is restarting; retry shortly.', 5));
    const caller = currentCaller();
    const gone = callerGone(caller);
    if (gone !== null) return Promise.reject(new JobCancelledError(gone));
    const id = ++serial;
    return new Promise<T>((resolve, reject) => {
      const signal = caller?.signal;
      const cancel = () => worker.postMessage({ type: 'cancel', id } satisfies MainMessage);
      signal?.addEventListener('abort', cancel, { once: true });
      pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', cancel);
          resolve(v as T);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', cancel);
          reject(e);
        },
        ...(observe === undefined ? {} : { observe }),
      });
      const remainingMs = caller?.deadline === undefined ? undefined : Math.max(0, caller.deadline - performance.now());
      worker.postMessage({ type: 'call', id, call: c, ...(remainingMs === undefined ? {} : { remainingMs }) } satisfies MainMessage);
    });
  }

  const split = <R extends RequestOptions>(request: R = {} as R) => {
    const { observe, ...rest } = request;
    return { observe, rest };
  };
  const modelsElsewhere = () => Promise.reject(new InternalError('the models run in the pipeline thread; call the pipeline instead'));
  const node = { noMemEmbed: info.sam2.noMemEmbed, maskClip: info.sam2.maskClip };
  const models: Models = {
    sam2: { encode: modelsElsewhere, decodePoints: modelsElsewhere, decodeBox: modelsElsewhere, decodePrompt: modelsElsewhere },
    dino: { patchFeatures: modelsElsewhere },
    info,
    // Model workers restarted by the current pipeline thread, plus pipeline threads replaced.
    load: () => ({ ...load, restarts: (load.restarts ?? 0) + restarts }),
    close: () => pipeline.close(),
  };
  const pipeline: GpuPipeline = {
    models,
    modelId,
    info,
    pipelineId: (proposals) => pipelineIdOf(resolveProposalConfig(proposals), node),
    candidates(bytes, request?: ProposalRequest) {
      const { observe, rest } = split(request);
      return call({ method: 'candidates', bytes, request: rest }, observe);
    },
    referenceVectors(bytes, annotations, request?: RequestOptions) {
      const { observe, rest } = split(request);
      return call({ method: 'referenceVectors', bytes, annotations, request: rest }, observe);
    },
    previewMask(bytes, prompt, request?: RequestOptions) {
      const { observe, rest } = split(request);
      return call({ method: 'previewMask', bytes, prompt, request: rest }, observe);
    },
    segment(bytes, prototypes, request?: ProposalRequest & { options?: PipelineOptionsInput }) {
      const { observe, rest } = split(request);
      return call({ method: 'segment', bytes, prototypes, request: rest }, observe);
    },
    async close() {
      if (stopped || closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => (onClosed = resolve));
      worker.postMessage({ type: 'close' } satisfies MainMessage);
      await closed;
      await worker.terminate();
    },
  };
  return pipeline;
}
