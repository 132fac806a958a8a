// Throughput over a sliding window, so a stall shows up within seconds instead of being
// averaged away over the whole transfer.

export class RateMeter {
  private readonly samples: { t: number; v: number }[] = [];

  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records the running total; returns units per second over the window (0 until measurable). */
  update(value: number): number {
    const t = this.now();
    const last = this.samples.at(-1);
    // A total that goes backwards is a restart (e.g. a resumed transfer that began again).
    if (last && value < last.v) this.samples.length = 0;
    this.samples.push({ t, v: value });
    while (this.samples.length > 2 && t - this.samples[1].t >= this.windowMs) this.samples.shift();
    return this.rate;
  }

  get rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.v - first.v) * 1000) / (last.t - first.t);
  }
}
