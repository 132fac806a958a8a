// The gpu-nodes an edge (or a dataset command) forwards model work to. Health is learnt two ways: a probe of every node
// each `healthIntervalMs` (driven by a timer where the runtime allows one, and lazily by requests
// everywhere, since a Worker has no timers outside a request), and every real call (a node that
// times out or cannot be reached leaves the rotation until a probe finds it well again).
//
// A call gets one node (least busy, ties in turn; or plain round-robin), is abandoned when its
// timeout passes whether or not the node ever answers, and an idempotent call that failed for a
// reason another node might not have is retried once on another node.
import { orAfter, withDeadline } from '../deadline.ts';
import { ServiceUnavailableError } from '../errors.ts';
import type { GpuNodeInfo } from './gpu-node.ts';
import { GpuNodeFailedError, GpuNodeUnavailableError } from './gpu-node-errors.ts';

export type GpuStrategy = 'least-busy' | 'round-robin';

export interface GpuPoolOptions {
  urls: readonly string[];
  strategy: GpuStrategy;
  timeoutMs: number;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  /** Resolves to the node's info when it is ready to work; throws otherwise. */
  probe(url: string, signal: AbortSignal): Promise<GpuNodeInfo>;
  now?: () => number;
}

export interface GpuNodeStatus {
  url: string;
  healthy: boolean;
  inFlight: number;
  /** Epoch ms of the last finished probe; null before the first. */
  checkedAt: number | null;
  lastError: string | null;
  info: GpuNodeInfo | null;
  calls: number;
  failures: number;
}

export interface GpuAttempt {
  url: string;
  /** Aborted when the call's timeout passes. */
  signal: AbortSignal;
}

export interface GpuCallOptions {
  /** Safe to run twice (no side effect on the node): may be retried once on another node. */
  idempotent: boolean;
  /** Only nodes serving this model id. */
  modelId?: string;
  /** What the call is, for error messages ("candidates"). */
  what: string;
}

export interface GpuPool {
  status(): GpuNodeStatus[];
  /** Info of a healthy node (probing first if nothing is known yet), or null. */
  info(): Promise<GpuNodeInfo | null>;
  /** Probes every node now. */
  checkAll(): Promise<void>;
  /** Probes every `healthIntervalMs` with a timer; returns the function that stops it. */
  startHealthChecks(): () => void;
  call<T>(fn: (attempt: GpuAttempt) => Promise<T>, options: GpuCallOptions): Promise<T>;
}

export function createGpuPool(options: GpuPoolOptions): GpuPool {
  const now = options.now ?? Date.now;
  const nodes: GpuNodeStatus[] = options.urls.map((url) => ({
    url,
    healthy: false,
    inFlight: 0,
    checkedAt: null,
    lastError: null,
    info: null,
    calls: 0,
    failures: 0,
  }));
  if (nodes.length === 0) throw new Error('a gpu pool needs at least one node URL');
  let turn = 0;
  let checking: { round: Promise<void>; since: number } | null = null;
  let lastRound: number | null = null;
  const retryAfterSeconds = Math.max(1, Math.ceil(options.healthIntervalMs / 1000));

  async function probe(node: GpuNodeStatus): Promise<void> {
    const controller = new AbortController();
    try {
      node.info = await withDeadline(options.probe(node.url, controller.signal), options.healthTimeoutMs, () => new Error(`no answer within ${options.healthTimeoutMs} ms`), controller);
      node.healthy = true;
      node.lastError = null;
    } catch (err) {
      node.healthy = false;
      node.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      node.checkedAt = now();
    }
  }

  /** One round at a time; a round that outlived its probes' timeout (its request is gone, on Workers) is replaced. */
  function checkAll(): Promise<void> {
    if (checking === null || now() - checking.since > options.healthTimeoutMs + 1000) {
      const round = Promise.all(nodes.map(probe)).then(() => {
        lastRound = now();
        if (checking?.round === round) checking = null;
      });
      checking = { round, since: now() };
    }
    // Bounded wait: a hung round never holds the caller past the health timeout.
    return orAfter(checking.round, options.healthTimeoutMs + 100, async () => {});
  }

  /**
   * Before the first round, and whenever no node is healthy, a stale round is awaited (a recovered
   * node is then found at once); otherwise it runs in the background.
   */
  async function freshEnough(): Promise<void> {
    const stale = lastRound === null || now() - lastRound >= options.healthIntervalMs;
    if (!stale) return;
    const round = checkAll();
    if (lastRound === null || !nodes.some((n) => n.healthy)) await round;
  }

  function choose(modelId: string | undefined, exclude: ReadonlySet<GpuNodeStatus>): GpuNodeStatus | null {
    const ready = nodes.filter((n) => n.healthy && !exclude.has(n) && (modelId === undefined || n.info?.modelId === modelId));
    if (ready.length === 0) return null;
    const start = turn++ % ready.length;
    const rotated = [...ready.slice(start), ...ready.slice(0, start)];
    if (options.strategy === 'round-robin') return rotated[0];
    return rotated.reduce((best, n) => (n.inFlight < best.inFlight ? n : best));
  }

  async function attempt<T>(node: GpuNodeStatus, fn: (a: GpuAttempt) => Promise<T>, what: string): Promise<T> {
    const controller = new AbortController();
    node.inFlight++;
    node.calls++;
    try {
      return await withDeadline(
        fn({ url: node.url, signal: controller.signal }).catch((err: unknown) => {
          if (controller.signal.aborted) throw timeoutError(node.url, what, options.timeoutMs, err);
          if (err instanceof TypeError) throw new GpuNodeUnavailableError(node.url, `is unreachable (${err.message})`, { markDown: true, cause: err });
          throw err;
        }),
        options.timeoutMs,
        () => timeoutError(node.url, what, options.timeoutMs),
        controller,
      );
    } catch (err) {
      node.failures++;
      if (err instanceof GpuNodeUnavailableError && err.markDown) {
        node.healthy = false;
        node.lastError = err.detail;
      }
      throw err;
    } finally {
      node.inFlight--;
    }
  }

  return {
    status: () => nodes.map((n) => ({ ...n })),

    async info() {
      await freshEnough();
      return nodes.find((n) => n.healthy && n.info)?.info ?? null;
    },

    checkAll,

    startHealthChecks() {
      void checkAll();
      const timer = setInterval(() => void checkAll(), options.healthIntervalMs);
      // Node and Deno: the timer must not keep the process alive on its own.
      (timer as { unref?: () => void }).unref?.();
      return () => clearInterval(timer);
    },

    async call(fn, callOptions) {
      await freshEnough();
      const tried = new Set<GpuNodeStatus>();
      let last: unknown = null;
      for (let n = 0; n < (callOptions.idempotent ? 2 : 1); n++) {
        const node = choose(callOptions.modelId, tried);
        if (node === null) break;
        tried.add(node);
        try {
          return await attempt(node, fn, callOptions.what);
        } catch (err) {
          last = err;
          if (!(err instanceof GpuNodeUnavailableError || err instanceof GpuNodeFailedError)) throw err;
        }
      }
      if (last instanceof GpuNodeFailedError) throw last;
      const model = callOptions.modelId === undefined ? '' : ` for model "${callOptions.modelId}"`;
      const why = last instanceof GpuNodeUnavailableError ? ` (${last.detail})` : '';
      throw new ServiceUnavailableError(`No gpu-node${model} is available for ${callOptions.what}${why}. Retry later.`, retryAfterSeconds);
    },
  };
}

function timeoutError(url: string, what: string, ms: number, cause?: unknown): GpuNodeUnavailableError {
  return new GpuNodeUnavailableError(url, `did not answer ${what} within ${ms} ms`, { markDown: true, cause });
}
