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

export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['bench', 'what', 'median ms', 'min ms', 'cpu ms', 'runs', 'target ms', 'min ≤ target', 'note'];
  const body = rows.map((r) => [
    r.bench,
    r.what,
    r.medianMs.toFixed(1),
    r.minMs.toFixed(1),
    Number.isFinite(r.cpuMs) ? r.cpuMs.toFixed(1) : '',
    String(r.runs),
    r.targetMs === undefined ? '' : String(r.targetMs),
    // The fastest run is the best estimate of the cost on an otherwise idle machine.
    r.targetMs === undefined ? '' : r.minMs <= r.targetMs ? 'yes' : 'NO',
    r.note ?? '',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c >= 2 && c <= 6 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Runs a bench and prints its table when its file is the script node was started with. */
export async function runIfMain(moduleUrl: string, bench: Bench): Promise<void> {
  const entry = process.argv[1];
  if (entry === undefined || pathToFileURL(entry).href !== moduleUrl) return;
  console.log(formatTable(await bench.run()));
}
