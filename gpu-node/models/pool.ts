// A small pool of model worker threads: one request in flight per worker (the per-node
// concurrency limit is the worker count) and a bounded FIFO queue behind them. A request that
// finds every worker busy and the queue full is refused at once with ModelsBusyError (503 +
// Retry-After upstream) instead of piling up memory and latency.
//
// Jobs carry their caller (job-context.ts): a job whose caller has gone or whose deadline has
// passed leaves the queue and is never started. A worker that dies (crash, uncaught error, OOM)
// fails the job it held with 503 and is replaced by a fresh one loading the same models.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModelsBusyError, ModelsClosedError, ModelWorkerCrashedError } from './errors.ts';
import { callerGone, currentCaller, JobCancelledError } from './job-context.ts';
import type { Caller } from './job-context.ts';
import { reviveError, threadOfKey, type Request, type ResultOf, type WorkerConfig, type WorkerInfo, type WorkerMessage } from './protocol.ts';

const ENTRY = new URL('./worker.ts', import.meta.url);

// Node (before type stripping, and for the TS syntax stripping does not cover) needs a loader
// for a .ts worker entry; workers do not inherit the parent's tsx hooks, so the bootstrap
// registers tsx inside the worker when it is installed. Deno runs .ts as it is.
const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => parentPort.postMessage({ type: 'failed', error: { name: e?.name ?? 'Error', message: String(e?.stack ?? e) } }));
`;

function tsxLoader(): string | null {
  if ('Deno' in globalThis || !ENTRY.pathname.endsWith('.ts')) return null;
  try {
    // The ESM build of tsx's API (its CommonJS build cannot register the hooks from a worker).
    const pkgPath = createRequire(import.meta.url).resolve('tsx/package.json');
    const api = JSON.parse(readFileSync(pkgPath, 'utf8')).exports['./esm/api'].import.default as string;
    return pathToFileURL(join(dirname(pkgPath), api)).href;
  } catch {
    return null;
  }
}

/** A worker thread running the module `entry` (a .ts file under tsx too); `data` joins its workerData. */
export function startModuleWorker(entry: URL, data: Record<string, unknown>, tsx: string | null = tsxLoader()): Worker {
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...data, entry: entry.href, tsx } });
}

interface Job {
  req: Request;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Thread that holds this request's embeddings, if any. */
  prefer?: number;
  started?: number;
  caller?: Caller;
  /** Stops listening to the caller's signal. */
  detach?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  jobId: number;
}

export interface PoolOptions {
  workers: number;
  maxQueue: number;
  /** Worker entry module (default ./worker.ts); tests give a stand-in. */
  entry?: URL;
}

export interface PoolCounters {
  /** Jobs handed to a worker. */
  started: number;
  /** Jobs dropped before starting (caller gone, deadline passed). */
  cancelled: number;
  /** Workers replaced after dying. */
  restarts: number;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closed = false;
  /** Mean job duration (ms), for Retry-After. */
  private meanMs = 1000;
  readonly counters: PoolCounters = { started: 0, cancelled: 0, restarts: 0 };
  private respawn: () => Promise<WorkerInfo> = () => Promise.reject(new ModelsClosedError('not started'));
  private restarting = 0;

  private constructor(private readonly maxQueue: number) {}

  /** Starts the workers and waits until every one has loaded its models. */
  static async start(config: WorkerConfig, opts: PoolOptions): Promise<{ pool: WorkerPool; info: WorkerInfo }> {
    const pool = new WorkerPool(opts.maxQueue);
    const tsx = tsxLoader();
    const entry = opts.entry ?? ENTRY;
    pool.respawn = () => pool.spawn(config, tsx, entry);
    const infos = await Promise.allSettled(Array.from({ length: Math.max(1, opts.workers) }, () => pool.respawn()));
    const failed = infos.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw failed.reason;
    }
    return { pool, info: (infos[0] as PromiseFulfilledResult<WorkerInfo>).value };
  }

  private spawn(config: WorkerConfig, tsx: string | null, entry: URL): Promise<WorkerInfo> {
    const worker = startModuleWorker(entry, { config }, tsx);
    const slot: Slot = { worker, jobId: 0 };
    return new Promise<WorkerInfo>((resolve, reject) => {
      let ready = false;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'ready') {
          ready = true;
          this.slots.push(slot);
          resolve(msg.info);
          this.pump();
        } else if (msg.type === 'failed') {
          reject(reviveError(msg.error));
          void worker.terminate();
        } else {
          this.settle(slot, msg);
        }
      });
      // 'error' (an uncaught exception) comes before 'exit'; the replacement starts at the first.
      let replaced = false;
      const replace = () => {
        if (!ready || replaced) return;
        replaced = true;
        this.restart();
      };
      worker.on('error', (err) => {
        if (!ready) reject(err);
        this.lose(slot, err);
        replace();
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new ModelsClosedError(`model worker exited with code ${code} while loading`));
        this.lose(slot, new ModelsClosedError(`model worker exited with code ${code}`));
        replace();
      });
    });
  }

  run<K extends Request['op']>(req: Extract<Request, { op: K }>): Promise<ResultOf[K]> {
    if (this.closed) return Promise.reject(new ModelsClosedError('the models are closed'));
    if (this.slots.length === 0 && this.restarting === 0) return Promise.reject(new ModelsClosedError('no model worker is left'));
    const caller = currentCaller();
    const gone = callerGone(caller);
    if (gone !== null) {
      this.counters.cancelled++;
      return Promise.reject(new JobCancelledError(gone));
    }
    const idle = this.slots.some((s) => !s.job);
    if (!idle && this.queue.length >= this.maxQueue) {
      const perWorker = (this.queue.length + this.slots.length) / Math.max(1, this.slots.length);
      return Promise.reject(new ModelsBusyError(this.queue.length, Math.max(1, (perWorker * this.meanMs) / 1000)));
    }
    return new Promise<ResultOf[K]>((resolve, reject) => {
      const prefer = 'emb' in req ? threadOfKey(req.emb.key) : undefined;
      const job: Job = { req, resolve: resolve as (v: unknown) => void, reject, prefer, ...(caller === undefined ? {} : { caller }) };
      const signal = caller?.signal;
      if (signal) {
        // A queued job leaves the queue as soon as its caller goes; a running one finishes.
        const onAbort = () => {
          const i = this.queue.indexOf(job);
          if (i < 0) return;
          this.queue.splice(i, 1);
          this.counters.cancelled++;
          reject(new JobCancelledError('the caller has gone'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        job.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** A new worker in place of one that died; queued jobs wait for it. */
  private restart(): void {
    if (this.closed) return;
    this.counters.restarts++;
    this.restarting++;
    this.respawn()
      .catch((err: unknown) => {
        // The models no longer load (files gone?): with no worker left, nothing can run.
        if (this.slots.length === 0 && this.restarting === 1) {
          for (const job of this.queue.splice(0)) job.reject(new ModelsClosedError(`a model worker could not be restarted: ${String(err)}`));
        }
      })
      .finally(() => {
        this.restarting--;
      });
  }

  get busy(): number {
    return this.slots.filter((s) => s.job).length;
  }

  get queued(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.filter((s) => !s.job);
      if (idle.length === 0) return;
      const job = this.queue.shift()!;
      job.detach?.();
      const gone = callerGone(job.caller);
      if (gone !== null) {
        this.counters.cancelled++;
        job.reject(new JobCancelledError(gone));
        continue;
      }
      const slot = idle.find((s) => s.worker.threadId === job.prefer) ?? idle[0];
      slot.job = job;
      slot.jobId += 1;
      job.started = performance.now();
      this.counters.started++;
      slot.worker.postMessage({ id: slot.jobId, req: job.req });
    }
  }

  private settle(slot: Slot, msg: Extract<WorkerMessage, { type: 'result' | 'error' }>): void {
    const job = slot.job;
    if (!job || msg.id !== slot.jobId) return;
    slot.job = undefined;
    this.meanMs = 0.8 * this.meanMs + 0.2 * (performance.now() - (job.started ?? performance.now()));
    if (msg.type === 'result') job.resolve(msg.result);
    else job.reject(reviveError(msg.error));
    this.pump();
  }

  /** A worker died: fail its job (503, retryable); the others carry on until its replacement is up. */
  private lose(slot: Slot, err: unknown): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const reason = err instanceof Error ? err.message : String(err);
    slot.job?.reject(this.closed ? new ModelsClosedError('the models are closed') : new ModelWorkerCrashedError(reason));
    slot.job = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new ModelsClosedError('the models are closed'));
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
