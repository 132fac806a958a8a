// Thread settings of the pipelined node: how many model workers, and how many intra-op threads
// each session gets. Sessions of one worker never run at once (a worker runs one job at a time),
// so the sessions that compete for the cores are one per worker; giving each worker its share of
// the cores keeps the encoder and the decoder from oversubscribing them when they overlap
// (onnxruntime's default is one thread per core for every session).
import { availableParallelism } from 'node:os';

/** Workers for a pipelined node: one per model lane (encoder + DINOv2, decoder). */
export const PIPELINE_WORKERS = 2;

/**
 * Default workers for a provider. On CPU one session already keeps every core busy (measured:
 * 1 worker × 2 threads gave 0.30 images/s on the idle 2-core machine, 2 × 1 pipelined 0.22), so
 * one worker, whose lanes still overlap the host work with the models; on a GPU, two.
 */
export function defaultWorkers(provider: string): number {
  return provider === 'cpu' ? 1 : PIPELINE_WORKERS;
}

export interface ThreadPlan {
  workers: number;
  intraOp: number;
}

/** Intra-op threads per session: the cores divided among the workers that can run at once, at least 1. */
export function intraOpThreads(cores: number, workers: number): number {
  return Math.max(1, Math.floor(Math.max(1, cores) / Math.max(1, workers)));
}

/**
 * The plan for `workers` (default PIPELINE_WORKERS) on this machine's cores; an explicit
 * intra-op count (> 0) is kept.
 */
export function threadPlan(options: { workers?: number; intraOp?: number; cores?: number } = {}): ThreadPlan {
  const workers = Math.max(1, options.workers ?? PIPELINE_WORKERS);
  const intraOp = options.intraOp !== undefined && options.intraOp > 0 ? options.intraOp : intraOpThreads(options.cores ?? availableParallelism(), workers);
  return { workers, intraOp };
}
