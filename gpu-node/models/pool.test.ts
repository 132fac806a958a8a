// WorkerPool scheduling on stand-in workers (test/standin/fake-model-worker.ts): cancelled and
// expired jobs are never started, a crashed worker fails its job with 503 and is replaced.
import { afterEach, describe, expect, it } from 'vitest';
import { toProblem } from '../../shared/errors.ts';
import { ModelWorkerCrashedError } from './errors.ts';
import { JobCancelledError, runForCaller } from './job-context.ts';
import { WorkerPool } from './pool.ts';
import type { WorkerConfig } from './protocol.ts';

const entry = new URL('../../test/standin/fake-model-worker.ts', import.meta.url);
const pools: WorkerPool[] = [];

async function pool(workers = 1, maxQueue = 8): Promise<WorkerPool> {
  const { pool: p } = await WorkerPool.start({} as WorkerConfig, { workers, maxQueue, entry });
  pools.push(p);
  return p;
}

/** A job that takes `ms` (or crashes the worker: crash 1 exits, 2 throws). */
const job = (p: WorkerPool, ms: number, crash = 0) => p.run({ op: 'patchFeatures', pixels: Float32Array.of(ms, crash) });

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('WorkerPool', () => {
  it('never starts a queued job whose caller has gone', async () => {
    const p = await pool();
    const busy = job(p, 150);
    const controller = new AbortController();
    const queued = runForCaller({ signal: controller.signal }, () => job(p, 0));
    const after = job(p, 0);
    expect(p.queued).toBe(2);
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(JobCancelledError);
    expect(p.queued).toBe(1);
    await busy;
    await after;
    expect(p.counters).toMatchObject({ started: 2, cancelled: 1 });
    // Called when already gone: refused before queueing.
    await expect(runForCaller({ signal: controller.signal }, () => job(p, 0))).rejects.toBeInstanceOf(JobCancelledError);
    expect(p.counters).toMatchObject({ started: 2, cancelled: 2 });
  });

  it('drops a job whose deadline passed while it waited', async () => {
    const p = await pool();
    const busy = job(p, 100);
    const expired = runForCaller({ deadline: performance.now() + 20 }, () => job(p, 0));
    const err = await expired.catch((e: unknown) => e);
    await busy;
    expect(err).toBeInstanceOf(JobCancelledError);
    expect(toProblem(err, 'r').status).toBe(503);
    expect(p.counters).toMatchObject({ started: 1, cancelled: 1 });
  });

  it.each([
    ['exits', 1],
    ['throws', 2],
  ])('restarts a worker that %s mid-job; the job fails with 503 and later jobs run', async (_, crash) => {
    const p = await pool();
    const first = await job(p, 0);
    const err = await job(p, 0, crash).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelWorkerCrashedError);
    expect(toProblem(err, 'r').status).toBe(503);
    // The next job waits for the replacement and runs on a new thread.
    const next = await job(p, 0);
    expect(next[0]).not.toBe(first[0]);
    expect(p.counters.restarts).toBe(1);
  });
});
