// How many pipeline requests run at once on this node, and how many may wait. A request past both
// limits is refused at once (503 + Retry-After) before its body is read, instead of piling up
// memory and latency; the edge then tries another node or later. A waiting request whose client
// disconnects or whose deadline passes leaves the queue at once and is never started. The
// scheduler (scheduler.ts) uses one per lane: a bounded FIFO with the same cancellation rules.
import { ServiceUnavailableError } from '../../shared/errors.ts';
import { callerGone, JobCancelledError } from '../models/job-context.ts';
import type { Caller } from '../models/job-context.ts';

interface Waiter {
  caller?: Caller;
  grant(): void;
}

export class Admission {
  running = 0;
  /** Requests dropped before they started (caller gone, deadline passed). */
  cancelled = 0;
  private readonly waiters: Waiter[] = [];
  /** Mean wall time of a request, ms (for Retry-After). */
  private meanMs = 2000;

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {}

  get waiting(): number {
    return this.waiters.length;
  }

  /** Waits for a slot; resolves to the function that frees it. */
  async acquire(caller?: Caller): Promise<() => void> {
    const gone = callerGone(caller);
    if (gone !== null) {
      this.cancelled++;
      throw new JobCancelledError(gone);
    }
    if (this.running >= this.maxConcurrent) {
      if (this.waiters.length >= this.maxQueued) {
        const ahead = this.waiters.length + this.running;
        throw new ServiceUnavailableError(
          `The node is busy: ${this.running} requests running and ${this.waiters.length} waiting; try again later.`,
          Math.max(1, (ahead * this.meanMs) / this.maxConcurrent / 1000),
        );
      }
      await this.wait(caller);
    } else {
      this.running++;
    }
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.meanMs = 0.8 * this.meanMs + 0.2 * (performance.now() - started);
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so `running` stays the same.
      if (next) next.grant();
      else this.running--;
    };
  }

  private wait(caller?: Caller): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const leave = (why: string) => {
        const i = this.waiters.indexOf(waiter);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        clearTimeout(timer);
        this.cancelled++;
        reject(new JobCancelledError(why));
      };
      const onAbort = () => leave('the caller has gone');
      const waiter: Waiter = {
        caller,
        grant: () => {
          clearTimeout(timer);
          caller?.signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.push(waiter);
      caller?.signal?.addEventListener('abort', onAbort, { once: true });
      if (caller?.deadline !== undefined) timer = setTimeout(() => leave('the caller\'s deadline has passed'), Math.max(0, caller.deadline - performance.now()));
    });
  }
}
