// Promise races against a timer created in the caller's own context. On Workers a promise made
// by another request can stay pending forever once that request is gone, so every wait on
// shared work is bounded this way.

/** `work`'s result, or a rejection with `onTimeout()` after `ms` (aborting `controller`), whichever is first. */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error, controller?: AbortController): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = onTimeout();
      controller?.abort(err);
      reject(err);
    }, ms);
  });
  // The loser of the race must not surface as an unhandled rejection.
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

class DeadlineError extends Error {}

/** `work`'s result, or `fallback()` when it has not settled after `ms`. */
export async function orAfter<T>(work: Promise<T>, ms: number, fallback: () => Promise<T>): Promise<T> {
  try {
    return await withDeadline(work, ms, () => new DeadlineError());
  } catch (err) {
    if (err instanceof DeadlineError) return fallback();
    throw err;
  }
}
