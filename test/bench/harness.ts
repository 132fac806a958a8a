// What every test/bench/*.bench.ts shares: timing, the result row, the table, and "run me
// directly". A bench file default-exports a Bench; run.ts runs them all in turn.
import { pathToFileURL } from 'node:url';

export interface BenchRow {
  bench: string;
  what: string;
  /** Median wall time of one run, ms. */
  medianMs: number;
  minMs: number;
  /** Median CPU time (user + system) of one run, ms: what the run cost when others share the machine (NaN: not measured). */
  cpuMs: number;
  runs: number;
  /** Budget in ms, when there is one. */
  targetMs?: number;
  note?: string;
  /**
   * A ratio row: medianMs/minMs/cpuMs hold ratios (of medians, of minima, of CPU medians) of two
   * timings taken in the same run, and targetMs is the bound on the ratio of minima.
   */
  ratio?: { atLeast: boolean };
}

export interface Bench {
  name: string;
  run(): Promise<BenchRow[]> | BenchRow[];
}

export interface TimeOptions {
  runs: number;
  warmup: number;
}

export interface Timing {
  medianMs: number;
  minMs: number;
  cpuMs: number;
  runs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times fn after warm-up runs (so the JIT has compiled it): wall and CPU time, in ms. */
export function timeIt(fn: () => unknown, { runs, warmup }: TimeOptions): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { medianMs: median(wall), minMs: Math.min(...wall), cpuMs: median(cpu), runs };
}

/**
 * Times a and b in alternation (a, b, a, b, …) after warm-up, so both see the same machine load:
 * what a ratio of the two needs on a shared machine.
 */
export function timeAlternating(a: () => unknown, b: () => unknown, { runs, warmup }: TimeOptions): [Timing, Timing] {
  for (let i = 0; i < warmup; i++) {
    a();
    b();
  }
  const samples = [a, b].map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    [a, b].forEach((fn, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      samples[k].wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      samples[k].cpu.push((c.user + c.system) / 1000);
    });
  }
  const timing = (s: { wall: number[]; cpu: number[] }): Timing => ({ medianMs: median(s.wall), minMs: Math.min(...s.wall), cpuMs: median(s.cpu), runs });
  return [timing(samples[0]), timing(samples[1])];
}

/** The row stating num / den for each of median, minimum and CPU time, with its bound. */
export function ratioRow(bench: string, what: string, num: Timing, den: Timing, bound: { atMost: number } | { atLeast: number }, note?: string): BenchRow {
  const atLeast = 'atLeast' in bound;
  return {
    bench,
    what,
    medianMs: num.medianMs / den.medianMs,
    minMs: num.minMs / den.minMs,
    cpuMs: num.cpuMs / den.cpuMs,
    runs: Math.min(num.runs, den.runs),
    targetMs: atLeast ? bound.atLeast : bound.atMost,
    note,
    ratio: { atLeast },
  };
}

export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['bench', 'what', 'median ms', 'min ms', 'cpu ms', 'runs', 'target ms', 'min meets target', 'note'];
  const body = rows.map((r) => {
    // Ratio rows print as "2.51×"; their target is a bound on the ratio, "≤ 3×" or "≥ 50×".
    const value = (x: number) => (r.ratio ? `${x.toFixed(2)}×` : x.toFixed(1));
    const met = r.targetMs === undefined ? undefined : r.ratio?.atLeast ? r.minMs >= r.targetMs : r.minMs <= r.targetMs;
    return [
      r.bench,
      r.what,
      value(r.medianMs),
      value(r.minMs),
      Number.isFinite(r.cpuMs) ? value(r.cpuMs) : '',
      String(r.runs),
      r.targetMs === undefined ? '' : r.ratio ? `${r.ratio.atLeast ? '≥' : '≤'} ${r.targetMs}×` : String(r.targetMs),
      // The fastest run is the best estimate of the cost on an otherwise idle machine.
      met === undefined ? '' : met ? 'yes' : 'NO',
      r.note ?? '',
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c >= 2 && c <= 6 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const PROVIDERS = ['cpu', 'cuda'] as const;
export type BenchProvider = (typeof PROVIDERS)[number];

/**
 * `--provider cpu|cuda` of the command line (`npm run bench -- --provider cuda`, or a bench run
 * directly): the execution provider the pipeline bench asks for. Default cpu.
 */
export function benchProvider(argv: readonly string[] = process.argv): BenchProvider {
  const i = argv.indexOf('--provider');
  if (i < 0) return 'cpu';
  const value = argv[i + 1];
  if (!PROVIDERS.includes(value as BenchProvider)) throw new Error(`--provider must be ${PROVIDERS.join(' or ')}, not "${value ?? ''}"`);
  return value as BenchProvider;
}

/** The command-line words that are not options: file-name filters of run.ts. */
export function benchFilters(argv: readonly string[]): string[] {
  return argv.filter((a, i) => a !== '--provider' && argv[i - 1] !== '--provider');
}

/** Runs a bench and prints its table when its file is the script node was started with. */
export async function runIfMain(moduleUrl: string, bench: Bench): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return;
  console.log(formatTable(await bench.run()));
}
