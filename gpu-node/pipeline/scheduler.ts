// Pipelined execution across images (issue 12 target 4). Every target image passes four lanes in
// order:
//
//   prepare (host: decode, SHA-256, both resizes) → encode (SAM2 encoder, then DINOv2)
//     → decode (SAM2 decoder batches, proposal filter) → finish (host: extraction, matching)
//
// Each lane admits a bounded number of images at once and queues the others in FIFO order, so
// while image i is in the decoder, image i+1 is in the encoder and DINOv2, and image i−1 is
// extracted. An image releases a lane before it waits for the next one, so no image holds one lane
// while waiting for another (no deadlock) and none can overtake another (a lane is FIFO and every
// image enters the lanes in the same order).
//
// The encode lane runs the encoder and DINOv2 one after the other: each model lane then keeps at
// most its own share of the model workers busy, so with two workers the decoder of the image ahead
// never waits behind the next image's encoder and DINOv2 (scheduler-threads.ts picks the workers
// and the threads per session).
//
// Lanes keep the cancellation rules of the queues in front of them (admission.ts, the worker
// pool): an image whose caller has gone or whose deadline has passed leaves the lane it waits for
// and never starts its next step.
import { callerGone, currentCaller, JobCancelledError } from '../models/job-context.ts';
import { Admission } from './admission.ts';

export const LANES = ['prepare', 'encode', 'decode', 'finish'] as const;
export type Lane = (typeof LANES)[number];

export interface ImageSteps<P, E, D, R> {
  prepare(): Promise<P> | P;
  encode(prepared: P): Promise<E>;
  decode(encoded: E): Promise<D>;
  finish(decoded: D): Promise<R> | R;
}

export type LaneEvent = 'start' | 'end';

export interface SchedulerOptions {
  /** Model worker threads behind the model lanes. */
  workers: number;
  /** Called as an image enters and leaves each lane (tests and the benchmark watch the overlap). */
  onLane?: (lane: Lane, image: number, event: LaneEvent) => void;
}

/** Images each lane holds at once: the model lanes share the workers, the host lanes run one each. */
export function laneWidths(workers: number): Record<Lane, number> {
  const model = Math.max(1, Math.floor(Math.max(1, workers) / 2));
  return { prepare: 1, encode: model, decode: model, finish: 1 };
}

/** Images in the pipeline at once when every lane is full: what a node should admit concurrently. */
export function imagesInFlight(workers: number): number {
  const widths = laneWidths(workers);
  return LANES.reduce((n, lane) => n + widths[lane], 0);
}

export interface LaneLoad {
  running: number;
  waiting: number;
  cancelled: number;
}

export class ImageScheduler {
  private readonly lanes: Map<Lane, Admission>;
  private serial = 0;

  constructor(private readonly options: SchedulerOptions) {
    const widths = laneWidths(options.workers);
    // Callers bound how many images wait (the node's admission, eval's window), so lanes do not.
    this.lanes = new Map(LANES.map((lane) => [lane, new Admission(widths[lane], Number.POSITIVE_INFINITY)]));
  }

  /** Runs one image through the four lanes; resolves to what `finish` returns. */
  async run<P, E, D, R>(steps: ImageSteps<P, E, D, R>): Promise<R> {
    const image = ++this.serial;
    const prepared = await this.step('prepare', image, () => steps.prepare());
    const encoded = await this.step('encode', image, () => steps.encode(prepared));
    const decoded = await this.step('decode', image, () => steps.decode(encoded));
    return this.step('finish', image, () => steps.finish(decoded));
  }

  load(): Record<Lane, LaneLoad> {
    const out = {} as Record<Lane, LaneLoad>;
    for (const [lane, a] of this.lanes) out[lane] = { running: a.running, waiting: a.waiting, cancelled: a.cancelled };
    return out;
  }

  private async step<T>(lane: Lane, image: number, fn: () => Promise<T> | T): Promise<T> {
    const caller = currentCaller();
    const release = await this.lanes.get(lane)!.acquire(caller);
    try {
      // A lane slot may be granted after the deadline passed while the image waited.
      const gone = callerGone(caller);
      if (gone !== null) throw new JobCancelledError(gone);
      this.options.onLane?.(lane, image, 'start');
      try {
        return await fn();
      } finally {
        this.options.onLane?.(lane, image, 'end');
      }
    } finally {
      release();
    }
  }
}
