// How many pipeline requests run at once on this node, and how many may wait. A request past both
// limits is refused at once (503 + Retry-After) before its body is read, instead of piling up
// memory and latency; the edge then tries another node or later.
import { ServiceUnavailableError } from '../../shared/errors.ts';

export class Admission {
  running = 0;
  private readonly waiters: (() => void)[] = [];
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
  async acquire(): Promise<() => void> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiters.length >= this.maxQueued) {
        const ahead = this.waiters.length + this.running;
        throw new ServiceUnavailableError(
          `The node is busy: ${this.running} requests running and ${this.waiters.length} waiting; try again later.`,
          Math.max(1, (ahead * this.meanMs) / this.maxConcurrent / 1000),
        );
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
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
      if (next) next();
      else this.running--;
    };
  }
}
