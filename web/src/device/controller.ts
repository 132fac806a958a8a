// The page's one on-device engine, shared by every bank: loads the on-device chunk on the first
// switch (never before), says what the download will cost and waits for the person's yes, opens
// the engine with progress and a cancel, and runs images through it. Main bundle: the only link to
// the chunk is the dynamic import below.
import type { RefsegClient, SegmentOptionsInput } from '../../../shared/client/index.ts';
import type { DeviceEngineInfo, DeviceProgress, DeviceRunner, DeviceUrls, DownloadEstimate } from './run.ts';
import type { DeviceSettings, PageResult } from './settings.ts';

type Chunk = typeof import('./run.ts');

/** The on-device bundle's file name, beside the page's script (web/build.ts defines it). */
declare const REFSEG_DEVICE_CHUNK: string;

export type DevicePhase =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'confirm'; estimate: DownloadEstimate }
  | { kind: 'downloading'; progress: DeviceProgress | null }
  | { kind: 'ready'; info: DeviceEngineInfo }
  | { kind: 'failed'; error: string };

export interface DeviceGrid {
  pointsPerSide: number;
  label: string;
  paper: boolean;
}

/** Set once the engine opened: the browser keeps the files, so later visits need no new yes. */
const DOWNLOADED_KEY = 'refseg.device.downloaded';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class DeviceController {
  phase: DevicePhase = { kind: 'idle' };
  /** The grids the engine offers, known once the chunk is loaded. */
  grids: readonly DeviceGrid[] = [];
  private chunk: Chunk | null = null;
  private urls: DeviceUrls | null = null;
  private runner: DeviceRunner | null = null;
  private opening: AbortController | null = null;
  private waiting: { resolve(): void; reject(err: Error): void }[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(private readonly apiBase: string) {}

  subscribe(listener: () => void): void {
    this.listeners.add(listener);
  }

  private set(phase: DevicePhase): void {
    this.phase = phase;
    for (const l of this.listeners) l();
  }

  private async load(): Promise<Chunk> {
    // A computed URL, so esbuild leaves this import to the browser instead of bundling run.ts in.
    this.chunk ??= (await import(new URL(REFSEG_DEVICE_CHUNK, import.meta.url).href)) as Chunk;
    this.grids = this.chunk.DEVICE_GRIDS;
    return this.chunk;
  }

  /** First switch to "on this device": the chunk, then the size warning (or straight on when the files were kept). */
  async prepare(): Promise<void> {
    if (this.phase.kind !== 'idle' && this.phase.kind !== 'failed' && this.phase.kind !== 'unavailable') return;
    this.set({ kind: 'checking' });
    try {
      const chunk = await this.load();
      if (localStorage.getItem(DOWNLOADED_KEY) === '1') return this.start();
      this.urls = await chunk.deviceUrls(this.apiBase);
      this.set({ kind: 'confirm', estimate: await chunk.estimateDownload(this.urls) });
    } catch (err) {
      this.set({ kind: 'unavailable', reason: message(err) });
    }
  }

  /** The person said yes (or the files were kept): download or read them, open the engine. */
  async start(): Promise<void> {
    const opening = new AbortController();
    this.opening = opening;
    this.set({ kind: 'downloading', progress: null });
    try {
      const chunk = await this.load();
      const urls = (this.urls ??= await chunk.deviceUrls(this.apiBase, opening.signal));
      this.runner = await chunk.openDevice(urls, (progress) => this.set({ kind: 'downloading', progress }), opening.signal);
      localStorage.setItem(DOWNLOADED_KEY, '1');
      this.set({ kind: 'ready', info: this.runner.info });
      for (const w of this.waiting.splice(0)) w.resolve();
    } catch (err) {
      const cancelled = opening.signal.aborted;
      for (const w of this.waiting.splice(0)) w.reject(new Error(cancelled ? 'The model download was cancelled.' : message(err)));
      this.set(cancelled ? { kind: 'idle' } : { kind: 'failed', error: message(err) });
    } finally {
      this.opening = null;
    }
  }

  /** Stops the download; the switch goes back to the server. */
  cancel(): void {
    this.opening?.abort(new DOMException('Cancelled', 'AbortError'));
  }

  /** Declines the download at the size warning. */
  decline(): void {
    if (this.phase.kind === 'confirm') this.set({ kind: 'idle' });
  }

  private ready(): Promise<void> {
    if (this.phase.kind === 'ready') return Promise.resolve();
    if (this.phase.kind !== 'downloading') return Promise.reject(new Error('The on-device models are not loaded: start "on this device" above, or switch to the server.'));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  async segment(client: RefsegClient, bankId: string, file: Blob, settings: DeviceSettings, options: SegmentOptionsInput, signal: AbortSignal): Promise<PageResult> {
    await this.ready();
    return this.runner!.segment(client, bankId, file, settings, options, signal);
  }
}
