// The page's segment queue: one image at a time (the GPU works on one anyway), each with its
// state and queue position; a busy answer (429, 503) waits the Retry-After the API sent (or a
// growing pause) and tries again; any image can be cancelled, waiting or running.
export type JobState = 'queued' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

export interface Job<R> {
  readonly id: number;
  readonly name: string;
  readonly file: Blob;
  state: JobState;
  /** Attempts made so far. */
  attempts: number;
  /** When waiting: epoch ms of the next attempt. */
  retryAt: number | null;
  result: R | null;
  error: string | null;
}

export interface BusyError {
  status: number;
  retryAfterSeconds?: number;
}

export interface QueueOptions<R> {
  run(file: Blob, signal: AbortSignal): Promise<R>;
  onChange(): void;
  /** Busy answers tried again before giving up. */
  maxAttempts?: number;
  /** Pause when the answer names none, doubled each time (ms). */
  backoffMs?: number;
  describeError?(err: unknown): string;
}

const isBusy = (err: unknown): err is BusyError => {
  const status = (err as { status?: unknown } | null)?.status;
  return status === 429 || status === 503;
};

export class SegmentQueue<R> {
  readonly jobs: Job<R>[] = [];
  private nextId = 1;
  private running = false;
  private readonly controllers = new Map<number, AbortController>();

  constructor(private readonly options: QueueOptions<R>) {}

  add(files: readonly { name: string; file: Blob }[]): Job<R>[] {
    const added = files.map((f) => ({ id: this.nextId++, name: f.name, file: f.file, state: 'queued' as JobState, attempts: 0, retryAt: null, result: null, error: null }));
    this.jobs.push(...added);
    this.options.onChange();
    void this.pump();
    return added;
  }

  /** 1-based place among the images still to start (the one running or waiting is 0). */
  position(job: Job<R>): number {
    if (job.state !== 'queued') return 0;
    return this.jobs.filter((j) => j.state === 'queued' && j.id <= job.id).length;
  }

  cancel(job: Job<R>): void {
    if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') return;
    job.state = 'cancelled';
    job.retryAt = null;
    this.controllers.get(job.id)?.abort();
    this.options.onChange();
  }

  cancelAll(): void {
    for (const job of this.jobs) this.cancel(job);
  }

  get active(): boolean {
    return this.jobs.some((j) => j.state === 'queued' || j.state === 'running' || j.state === 'waiting');
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.next(); job; job = this.next()) await this.process(job);
    } finally {
      this.running = false;
    }
  }

  private next(): Job<R> | undefined {
    return this.jobs.find((j) => j.state === 'queued');
  }

  private async process(job: Job<R>): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(job.id, controller);
    const maxAttempts = this.options.maxAttempts ?? 8;
    let backoff = this.options.backoffMs ?? 1000;
    try {
      while (job.state !== 'cancelled') {
        job.state = 'running';
        job.attempts++;
        this.options.onChange();
        try {
          job.result = await this.options.run(job.file, controller.signal);
          job.state = 'done';
          return;
        } catch (err) {
          if ((job.state as JobState) === 'cancelled') return;
          if (!isBusy(err) || job.attempts >= maxAttempts) {
            job.state = 'failed';
            job.error = this.options.describeError?.(err) ?? String(err);
            return;
          }
          const waitMs = err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : backoff;
          backoff *= 2;
          job.state = 'waiting';
          job.retryAt = Date.now() + waitMs;
          this.options.onChange();
          await sleep(waitMs, controller.signal);
          job.retryAt = null;
        }
      }
    } finally {
      this.controllers.delete(job.id);
      this.options.onChange();
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}
