// Progress display for long commands. On a terminal one line is redrawn in place (bar,
// percent, done/total, rate, ETA); in logs and pipes, where carriage returns turn into
// garbage, a plain line is written every few seconds instead.
import { RateMeter } from '../../shared/rate-meter.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export type ProgressUnit = 'bytes' | 'items';

export interface ProgressBarOptions {
  label: string;
  /** Known total, or null while unknown. */
  total?: number | null;
  unit?: ProgressUnit;
  /** Default: standard error, so standard output stays clean for results. */
  stream?: ProgressStream;
  /** Non-terminal: least time between two lines. */
  logIntervalMs?: number;
  /** Terminal: least time between two redraws. */
  redrawMs?: number;
  now?: () => number;
}

const SI = ['kB', 'MB', 'GB', 'TB'];

/** Decimal units, as the model hubs print sizes: 88532934 → "88.5 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  let v = n;
  let i = -1;
  while (v >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${SI[i]}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds → "m:ss" or "h:mm:ss"; unknown → "--:--". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface ProgressState {
  done: number;
  total: number | null;
  /** Units per second. */
  rate: number;
}

/** The numbers part of a progress line: "42%  12.3 MB/29.1 MB  4.20 MB/s  ETA 0:04". */
export function describeProgress(state: ProgressState, unit: ProgressUnit): string {
  const fmt = unit === 'bytes' ? formatBytes : formatCount;
  const rate = unit === 'bytes' ? `${formatBytes(state.rate)}/s` : `${state.rate.toFixed(1)}/s`;
  if (state.total === null) return `${fmt(state.done)}  ${rate}`;
  const eta = state.rate > 0 ? (state.total - state.done) / state.rate : Number.NaN;
  return `${percent(state).padStart(4)}  ${fmt(state.done)}/${fmt(state.total)}  ${rate}  ETA ${formatDuration(eta)}`;
}

function percent(state: ProgressState): string {
  if (state.total === null || state.total <= 0) return '';
  return `${Math.floor((100 * Math.min(state.done, state.total)) / state.total)}%`;
}

/** "[#######-------]" filled to done/total. */
export function renderBar(done: number, total: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const filled = total > 0 ? Math.min(inner, Math.floor((inner * done) / total)) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(inner - filled)}]`;
}

function fitLabel(label: string, width: number): string {
  if (label.length <= width) return label;
  return width <= 1 ? label.slice(-width) : `…${label.slice(label.length - width + 1)}`;
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly unit: ProgressUnit;
  private readonly now: () => number;
  private readonly meter: RateMeter;
  private readonly logIntervalMs: number;
  private readonly redrawMs: number;
  private label: string;
  private total: number | null;
  private done = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private finished = false;

  constructor(options: ProgressBarOptions) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.unit = options.unit ?? 'items';
    this.now = options.now ?? (() => performance.now());
    this.meter = new RateMeter(5000, this.now);
    this.logIntervalMs = options.logIntervalMs ?? 5000;
    this.redrawMs = options.redrawMs ?? 100;
    this.label = options.label;
    this.total = options.total ?? null;
  }

  update(done: number, total?: number | null): void {
    if (this.finished) return;
    this.done = done;
    if (total !== undefined) this.total = total;
    this.meter.update(done);
    const t = this.now();
    if (t - this.lastDraw < (this.tty ? this.redrawMs : this.logIntervalMs)) return;
    this.lastDraw = t;
    this.draw(false);
  }

  setLabel(label: string): void {
    this.label = label;
  }

  /** Draws the final state (optionally with a closing note) and ends the line. */
  finish(note?: string): void {
    if (this.finished) return;
    this.finished = true;
    this.draw(true, note);
  }

  private state(): ProgressState {
    return { done: this.done, total: this.total, rate: this.meter.rate };
  }

  private draw(final: boolean, note?: string): void {
    const numbers = describeProgress(this.state(), this.unit) + (note ? `  ${note}` : '');
    if (!this.tty) {
      this.stream.write(`${this.label}  ${numbers}\n`);
      return;
    }
    const columns = Math.max(20, (this.stream.columns ?? 80) - 1);
    // Reserve room for the widest numbers so the bar keeps one width from frame to frame.
    const reserve = Math.max(numbers.length, this.total === null ? 24 : 52);
    const numbersWidth = Math.min(reserve, Math.max(numbers.length, columns - 24));
    const labelWidth = Math.max(1, Math.min(this.label.length, columns - numbersWidth - (this.total === null ? 1 : 12)));
    const label = fitLabel(this.label, labelWidth);
    const line =
      this.total === null
        ? `${label} ${numbers}`
        : `${label} ${renderBar(this.done, this.total, Math.min(40, Math.max(10, columns - numbersWidth - labelWidth - 2)))} ${numbers}`;
    this.stream.write(`\r${line.slice(0, columns)}\x1b[K${final ? '\n' : ''}`);
  }
}
