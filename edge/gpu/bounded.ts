// Runs one request's gpu-node calls a few at a time. The first failure, or the client going away
// (`signal`), aborts the calls in flight and starts none of the rest: a failed request leaves no
// work behind on the gpu-nodes.
import { GpuCallCancelledError } from '../../shared/api/gpu-node-pool.ts';

/** At most this many gpu-node calls of one request at a time (the pool adds the tenant's share). */
export const CALLS_PER_REQUEST = 4;

/** `fn` over `items` with at most `limit` running; results in order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const controller = new AbortController();
  const forward = () => controller.abort(new GpuCallCancelledError(signal?.reason));
  if (signal?.aborted) forward();
  signal?.addEventListener('abort', forward, { once: true });
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (next < items.length && !controller.signal.aborted) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i, controller.signal);
      } catch (error) {
        // The first error is the request's answer; the cancellations it causes are not.
        failure ??= { error };
        controller.abort(new GpuCallCancelledError(error));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  } finally {
    signal?.removeEventListener('abort', forward);
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  if (controller.signal.aborted) throw new GpuCallCancelledError(signal?.reason);
  return results;
}
