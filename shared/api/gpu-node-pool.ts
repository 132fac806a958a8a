// The gpu-nodes an edge (or a dataset command) forwards model work to. Health is learnt two ways: a probe of every node
// each `healthIntervalMs` (driven by a timer where the runtime allows one, and lazily by requests
// everywhere, since a Worker has no timers outside a request), and every real call (a node that
// times out or cannot be reached leaves the rotation until a probe finds it well again).
//
// A call gets one node (least busy, ties in turn; or plain round-robin), is abandoned when its
// timeout passes whether or not the node ever answers, and an idempotent call that failed for a
// reason another node might not have is retried once on another node.
//
// Admission: the edge sends a node no more calls than it can hold (its info's maxConcurrent +
// maxQueued) and, when every node is full or answers "busy", a call waits here for a bounded time
// (`queueWaitMs`) instead of failing at once. While calls wait, each tenant may hold at most a
// fair share of the pool's room (room / tenants with calls running or waiting), and a freed slot
// goes to the waiting tenant with the fewest calls running. A call whose caller is gone (its
// `signal` aborts) leaves the queue, or is aborted in flight, and never counts against the node.
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
  /**
   * How long a call may wait for room on a node (all full, or answering busy) before the pool
   * gives up with 503. Default 0: fail at once.
   */
  queueWaitMs?: number;
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
  /** The last failure seen, kept after the node recovers (for operators; `healthy` is the present). */
  lastError: string | null;
  info: GpuNodeInfo | null;
  calls: number;
  failures: number;
}

export interface GpuAttempt {
  url: string;
  /** Aborted when the call's timeout passes or its caller is gone. */
  signal: AbortSignal;
  /** How long this attempt will be waited for (the node should not start work it cannot finish by then). */
  timeoutMs: number;
}

export interface GpuCallOptions {
  /** Safe to run twice (no side effect on the node): may be retried once on another node. */
  idempotent: boolean;
  /** Only nodes serving this model id. */
  modelId?: string;
  /** What the call is, for error messages ("candidates"). */
  what: string;
  /** Whose call it is, for the fair share of the pool (default: one anonymous tenant). */
  tenant?: string;
  /** The caller is gone or gave up: leave the queue, abort the attempt. */
  signal?: AbortSignal;
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
  /** Calls in flight and waiting, per tenant. */
  load(): { inFlight: number; waiting: number; tenants: Record<string, { inFlight: number; waiting: number }> };
}

/** The caller gave up (its client went away, or a sibling call failed): hardly anyone reads this 503. */
export class GpuCallCancelledError extends ServiceUnavailableError {
  constructor(reason?: unknown) {
    super('The request was cancelled before the gpu-nodes answered.', 1, { cause: reason });
  }
}

/** How long a node that answered busy is left alone before it is tried again. */
const BUSY_BACKOFF_MS = 200;
/** Waiting calls look again at least this often (a busy node's backoff may have ended). */
const WAIT_POLL_MS = 100;

interface Waiter {
  tenant: string;
  /** performance.now() past which the waiter's budget is over (it may be gone: see prune). */
  until: number;
  wake(): void;
}

export function createGpuPool(options: GpuPoolOptions): GpuPool {
  const now = options.now ?? Date.now;
  const queueWaitMs = options.queueWaitMs ?? 0;
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
  /** A call (not a probe) took the last node out of rotation since the last re-probe. */
  let downByCall = false;
  const retryAfterSeconds = Math.max(1, Math.ceil(options.healthIntervalMs / 1000));
  /** Real-time instant (performance.now) until which a node that answered busy is skipped. */
  const busyUntil = new Map<GpuNodeStatus, number>();
  const tenantInFlight = new Map<string, number>();
  const waiters: Waiter[] = [];

  const capacityOf = (n: GpuNodeStatus) => (n.info ? n.info.limits.maxConcurrent + n.info.limits.maxQueued : Number.POSITIVE_INFINITY);
  const hasRoom = (n: GpuNodeStatus) => n.inFlight < capacityOf(n) && (busyUntil.get(n) ?? 0) <= performance.now();
  const running = (tenant: string) => tenantInFlight.get(tenant) ?? 0;

  /**
   * On Workers a request that is gone never runs its timers again, so its waiter would stay
   * forever and count against everyone's share: waiters past their budget are dropped.
   */
  function prune(): void {
    const t = performance.now();
    for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].until + WAIT_POLL_MS < t) waiters.splice(i, 1);
  }

  /** A tenant's share of the room of the healthy nodes while others want some too. */
  function fairShare(tenant: string): number {
    prune();
    const room = nodes.filter((n) => n.healthy).reduce((sum, n) => sum + capacityOf(n), 0);
    const tenants = new Set([tenant, ...waiters.map((w) => w.tenant)]);
    for (const [t, k] of tenantInFlight) if (k > 0) tenants.add(t);
    return Math.max(1, Math.ceil(room / tenants.size));
  }

  /** Wakes every waiter, the tenants with the fewest calls running first (they run first). */
  function wakeWaiters(): void {
    const order = waiters.splice(0).sort((a, b) => running(a.tenant) - running(b.tenant));
    for (const w of order) w.wake();
  }

  async function probe(node: GpuNodeStatus): Promise<void> {
    const controller = new AbortController();
    try {
      node.info = await withDeadline(options.probe(node.url, controller.signal), options.healthTimeoutMs, () => new Error(`no answer within ${options.healthTimeoutMs} ms`), controller);
      node.healthy = true;
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
   * Before the first round, and whenever no node is healthy, a stale round (or the re-probe a
   * failed call started) is awaited, so a recovered node is found at once; otherwise it runs in
   * the background.
   */
  async function freshEnough(): Promise<void> {
    const stale = lastRound === null || now() - lastRound >= options.healthIntervalMs;
    const noneHealthy = !nodes.some((n) => n.healthy);
    // The last node went down because a call timed out, perhaps only because it was long (one
    // tenant's costly request): probe it once now rather than answer 503 to everyone until the
    // next round.
    const recheck = noneHealthy && downByCall;
    if (!stale && !recheck) return;
    downByCall = false;
    const round = checkAll();
    if (lastRound === null || noneHealthy) await round;
  }

  function choose(modelId: string | undefined, exclude: ReadonlySet<GpuNodeStatus>): GpuNodeStatus | null {
    const ready = nodes.filter((n) => n.healthy && hasRoom(n) && !exclude.has(n) && (modelId === undefined || n.info?.modelId === modelId));
    if (ready.length === 0) return null;
    const start = turn++ % ready.length;
    const rotated = [...ready.slice(start), ...ready.slice(0, start)];
    if (options.strategy === 'round-robin') return rotated[0];
    return rotated.reduce((best, n) => (n.inFlight < best.inFlight ? n : best));
  }

  /** Whether some healthy node of the model could take the call once it has room. */
  const couldServe = (modelId: string | undefined, exclude: ReadonlySet<GpuNodeStatus>) =>
    nodes.some((n) => n.healthy && !exclude.has(n) && (modelId === undefined || n.info?.modelId === modelId));

  async function attempt<T>(node: GpuNodeStatus, fn: (a: GpuAttempt) => Promise<T>, what: string, tenant: string, caller?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const cancel = () => controller.abort(new GpuCallCancelledError(caller?.reason));
    caller?.addEventListener('abort', cancel, { once: true });
    node.inFlight++;
    node.calls++;
    tenantInFlight.set(tenant, running(tenant) + 1);
    try {
      return await withDeadline(
        fn({ url: node.url, signal: controller.signal, timeoutMs: options.timeoutMs }).catch((err: unknown) => {
          if (caller?.aborted) throw new GpuCallCancelledError(caller.reason);
          if (controller.signal.aborted) throw timeoutError(node.url, what, options.timeoutMs, err);
          if (err instanceof TypeError) throw new GpuNodeUnavailableError(node.url, `is unreachable (${err.message})`, { markDown: true, cause: err });
          throw err;
        }),
        options.timeoutMs,
        () => timeoutError(node.url, what, options.timeoutMs),
        controller,
      );
    } catch (err) {
      if (err instanceof GpuCallCancelledError) throw err;
      node.failures++;
      if (err instanceof GpuNodeUnavailableError && err.markDown) {
        node.healthy = false;
        node.lastError = err.detail;
        downByCall = true;
      }
      throw err;
    } finally {
      caller?.removeEventListener('abort', cancel);
      node.inFlight--;
      const left = running(tenant) - 1;
      if (left > 0) tenantInFlight.set(tenant, left);
      else tenantInFlight.delete(tenant);
      wakeWaiters();
    }
  }

  /** Waits until woken, the poll interval, the end of the budget or the caller's abort. */
  function waitForRoom(tenant: string, until: number, budget: Promise<'timeout'>, caller?: AbortSignal): Promise<'woken' | 'timeout'> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (why: 'woken' | 'timeout') => {
        clearTimeout(timer);
        caller?.removeEventListener('abort', onAbort);
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        resolve(why);
      };
      const onAbort = () => done('timeout');
      const waiter: Waiter = { tenant, until, wake: () => done('woken') };
      waiters.push(waiter);
      timer = setTimeout(() => done('woken'), WAIT_POLL_MS);
      caller?.addEventListener('abort', onAbort, { once: true });
      void budget.then(() => done('timeout'));
    });
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

    load() {
      const tenants: Record<string, { inFlight: number; waiting: number }> = Object.create(null);
      for (const [t, k] of tenantInFlight) tenants[t] = { inFlight: k, waiting: 0 };
      for (const w of waiters) (tenants[w.tenant] ??= { inFlight: 0, waiting: 0 }).waiting++;
      return { inFlight: nodes.reduce((s, n) => s + n.inFlight, 0), waiting: waiters.length, tenants };
    },

    async call(fn, callOptions) {
      const caller = callOptions.signal;
      const tenant = callOptions.tenant ?? '';
      if (caller?.aborted) throw new GpuCallCancelledError(caller.reason);
      await freshEnough();
      const tried = new Set<GpuNodeStatus>();
      let last: unknown = null;
      let budgetTimer: ReturnType<typeof setTimeout> | undefined;
      let budgetOver = queueWaitMs <= 0;
      const until = performance.now() + queueWaitMs;
      const budget = new Promise<'timeout'>((resolve) => {
        if (queueWaitMs > 0) budgetTimer = setTimeout(() => resolve('timeout'), queueWaitMs);
      }).then((r) => {
        budgetOver = true;
        return r;
      });
      try {
        for (let failures = 0; failures < (callOptions.idempotent ? 2 : 1); ) {
          if (caller?.aborted) throw new GpuCallCancelledError(caller.reason);
          const fair = running(tenant) < fairShare(tenant);
          const node = fair ? choose(callOptions.modelId, tried) : null;
          if (node === null) {
            // Full (or over this tenant's share) but some node could serve: wait for room.
            if (!budgetOver && couldServe(callOptions.modelId, tried) && (await waitForRoom(tenant, until, budget, caller)) === 'woken') continue;
            if (caller?.aborted) throw new GpuCallCancelledError(caller.reason);
            break;
          }
          try {
            return await attempt(node, fn, callOptions.what, tenant, caller);
          } catch (err) {
            last = err;
            if (!(err instanceof GpuNodeUnavailableError || err instanceof GpuNodeFailedError)) throw err;
            if (err instanceof GpuNodeUnavailableError && !err.markDown && !budgetOver) {
              // Busy (its queue is full, perhaps with other edges' work): leave it alone briefly and wait.
              busyUntil.set(node, performance.now() + BUSY_BACKOFF_MS);
              continue;
            }
            tried.add(node);
            failures++;
          }
        }
      } finally {
        clearTimeout(budgetTimer);
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
