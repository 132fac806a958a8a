// Who a model job is for, carried through the pipeline's async calls without threading it
// through every stage: the HTTP layer runs a request inside `runForCaller`, and the worker pool
// reads it when a job is queued. A job whose caller has gone (signal aborted) or whose deadline
// has passed is never started.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ServiceUnavailableError } from '../../shared/errors.ts';

export interface Caller {
  /** Aborted when the HTTP client disconnects. */
  signal?: AbortSignal;
  /** performance.now() instant after which nobody waits for the answer. */
  deadline?: number;
}

const callers = new AsyncLocalStorage<Caller>();

export function runForCaller<T>(caller: Caller, fn: () => Promise<T>): Promise<T> {
  return callers.run(caller, fn);
}

export function currentCaller(): Caller | undefined {
  return callers.getStore();
}

/** Why the caller's work must not start (or continue), or null. */
export function callerGone(caller: Caller | undefined): string | null {
  if (caller?.signal?.aborted) return 'the caller has gone';
  if (caller?.deadline !== undefined && performance.now() >= caller.deadline) return 'the caller\'s deadline has passed';
  return null;
}

/** The job was dropped before it started: nobody is waiting for it. */
export class JobCancelledError extends ServiceUnavailableError {
  constructor(why: string) {
    super(`The work was not started: ${why}.`, 1);
  }
}
