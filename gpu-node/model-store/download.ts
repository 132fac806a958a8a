// `pullPreset`: fetch every file of a model preset into `<dir>/<preset>/`, resuming what a
// previous run left, retrying transfers that break, and extracting archives.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RateMeter } from '../../shared/rate-meter.ts';
import { DownloadInterruptedError, ModelFileNotFoundError, ModelHubHttpError, ModelHubUnreachableError } from './errors.ts';
import { ConnectFailure, fetchFile, sha256File } from './fetch-file.ts';
import { sizeOf } from './fs-util.ts';
import { fileUrl, hubUrl, modelsDir, presetDir } from './locations.ts';
import { lockFolder } from './lock.ts';
import { localName } from './presets.ts';
import type { Preset, PresetFile } from './presets.ts';
import { extractZipMembers } from './unzip.ts';

export type PullEvent =
  | { type: 'file-start'; file: string; url: string; resumeFrom: number; total: number | null }
  | {
      type: 'progress';
      file: string;
      fileDone: number;
      fileTotal: number | null;
      /** Bytes of the whole preset on disk so far (known sizes only for files not yet started). */
      done: number;
      /** Whole preset, or null while some file's size is unknown. */
      total: number | null;
      /** Bytes per second actually transferred, over the last few seconds. */
      rate: number;
    }
  | { type: 'file-done'; file: string; bytes: number; skipped: boolean }
  | { type: 'file-absent'; file: string }
  | { type: 'extract'; archive: string; members: string[] }
  | { type: 'retry'; file: string; attempt: number; delayMs: number; reason: string };

export interface PullOptions {
  /** Cache root; default `modelsDir()`. */
  dir?: string;
  /** Hub base URL; default `hubUrl()` (REFSEG_HUB_URL or huggingface.co). */
  hub?: string;
  onEvent?: (event: PullEvent) => void;
  signal?: AbortSignal;
  /** Extra attempts per file after an interrupted transfer or a 5xx (each resumes). */
  retries?: number;
  /** Wait before the first retry; doubles each time. */
  retryDelayMs?: number;
  stallTimeoutMs?: number;
  /** Re-hash files already in place against the preset's SHA-256 (re-fetch on mismatch). */
  verify?: boolean;
}

export interface PulledFile {
  name: string;
  path: string;
  /** Already complete before this run. */
  skipped: boolean;
  /** Optional file the hub does not have. */
  absent?: boolean;
}

export interface PullResult {
  preset: string;
  dir: string;
  files: PulledFile[];
}

/** Connection errors that retrying will not fix: no route, no such host, nothing listening. */
const HOPELESS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EAI_NONAME']);

/** Names the file leaves in the preset folder: itself, or an archive's members. */
function storedNames(file: PresetFile): string[] {
  return file.extract ? file.extract.map((m) => m.name) : [localName(file)];
}

/** Whether the file (or, for an archive, every member) is already in place. */
async function inPlace(folder: string, file: PresetFile, verify: boolean): Promise<boolean> {
  if (file.extract) {
    for (const name of storedNames(file)) if ((await sizeOf(join(folder, name))) === null) return false;
    return true;
  }
  const path = join(folder, localName(file));
  const size = await sizeOf(path);
  if (size === null || (file.size !== null && size !== file.size)) return false;
  if (verify && file.sha256 && (await sha256File(path)) !== file.sha256) return false;
  return true;
}

export async function pullPreset(preset: Preset, options: PullOptions = {}): Promise<PullResult> {
  const root = options.dir ?? modelsDir();
  const hub = options.hub ?? hubUrl();
  const folder = presetDir(root, preset);
  const emit = options.onEvent ?? (() => {});
  await mkdir(folder, { recursive: true });
  const unlock = await lockFolder(folder);
  try {
    const pending: PresetFile[] = [];
    const result: PulledFile[] = [];
    for (const file of preset.files) {
      if (await inPlace(folder, file, options.verify ?? false)) {
        for (const name of storedNames(file)) {
          result.push({ name, path: join(folder, name), skipped: true });
          emit({ type: 'file-done', file: name, bytes: (await stat(join(folder, name))).size, skipped: true });
        }
      } else {
        pending.push(file);
      }
    }

    const progress = new PresetProgress(pending, emit);
    for (const file of pending) {
      try {
        await pullFile(preset, file, folder, hub, options, progress, emit);
      } catch (err) {
        if (err instanceof ModelFileNotFoundError && file.optional) {
          emit({ type: 'file-absent', file: localName(file) });
          result.push({ name: localName(file), path: join(folder, localName(file)), skipped: false, absent: true });
          progress.forget(file);
          continue;
        }
        if (err instanceof ConnectFailure) {
          throw new ModelHubUnreachableError(hub, err.message, manualSteps(preset, pending.slice(pending.indexOf(file)), hub, folder), { cause: err });
        }
        throw err;
      }
      for (const name of storedNames(file)) {
        result.push({ name, path: join(folder, name), skipped: false });
      }
    }
    return { preset: preset.id, dir: folder, files: result };
  } finally {
    await unlock();
  }
}

async function pullFile(
  preset: Preset,
  file: PresetFile,
  folder: string,
  hub: string,
  options: PullOptions,
  progress: PresetProgress,
  emit: (e: PullEvent) => void,
): Promise<void> {
  const name = localName(file);
  const target = join(folder, name);
  if (!file.extract) {
    const bytes = await fetchWithRetries(preset, file, target, hub, options, progress, emit);
    emit({ type: 'file-done', file: name, bytes, skipped: false });
    return;
  }
  // An archive left whole by a run that stopped while extracting need not be fetched again.
  const archiveSize = await sizeOf(target);
  if (archiveSize === null || (file.size !== null && archiveSize !== file.size)) {
    await fetchWithRetries(preset, file, target, hub, options, progress, emit);
  }
  const members = storedNames(file);
  emit({ type: 'extract', archive: name, members });
  await extractZipMembers(target, members, folder);
  await rm(target, { force: true });
  for (const m of members) emit({ type: 'file-done', file: m, bytes: (await stat(join(folder, m))).size, skipped: false });
}

async function fetchWithRetries(
  preset: Preset,
  file: PresetFile,
  target: string,
  hub: string,
  options: PullOptions,
  progress: PresetProgress,
  emit: (e: PullEvent) => void,
): Promise<number> {
  const name = localName(file);
  const url = fileUrl(hub, preset, file);
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    let started = false;
    try {
      const { bytes } = await fetchFile({
        url,
        target,
        label: name,
        size: file.size,
        ...(file.sha256 ? { sha256: file.sha256 } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.stallTimeoutMs ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
        onBytes: (done, total) => {
          if (!started) {
            started = true;
            emit({ type: 'file-start', file: name, url, resumeFrom: done, total });
          }
          progress.update(file, name, done, total);
        },
      });
      return bytes;
    } catch (err) {
      if (attempt >= retries || options.signal?.aborted || !retryable(err)) throw err;
      const delayMs = (options.retryDelayMs ?? 1000) * 2 ** attempt;
      const reason = err instanceof DownloadInterruptedError ? `transfer stopped after ${err.received} bytes (${err.reason})` : (err as Error).message;
      emit({ type: 'retry', file: name, attempt: attempt + 1, delayMs, reason });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

function retryable(err: unknown): boolean {
  if (err instanceof DownloadInterruptedError) return true;
  if (err instanceof ModelHubHttpError) return err.httpStatus >= 500 || err.httpStatus === 429;
  if (err instanceof ConnectFailure) return !HOPELESS.has(err.code);
  return false;
}

/** Running byte counts over the files still to fetch, for the `progress` event. */
class PresetProgress {
  private readonly done = new Map<PresetFile, number>();
  private readonly totals = new Map<PresetFile, number | null>();
  private readonly meter = new RateMeter();
  private transferred = 0;
  private lastFile: PresetFile | undefined;
  private lastDone = 0;

  constructor(
    files: readonly PresetFile[],
    private readonly emit: (e: PullEvent) => void,
  ) {
    for (const f of files) this.totals.set(f, f.size);
  }

  update(file: PresetFile, name: string, fileDone: number, fileTotal: number | null): void {
    // Only bytes that crossed the network count toward the rate, not resumed ones.
    if (file === this.lastFile && fileDone > this.lastDone) this.transferred += fileDone - this.lastDone;
    this.lastFile = file;
    this.lastDone = fileDone;
    this.done.set(file, fileDone);
    if (fileTotal !== null) this.totals.set(file, fileTotal);
    const rate = this.meter.update(this.transferred);
    let done = 0;
    for (const v of this.done.values()) done += v;
    let total: number | null = 0;
    for (const v of this.totals.values()) total = v === null || total === null ? null : total + v;
    this.emit({ type: 'progress', file: name, fileDone, fileTotal, done, total, rate });
  }

  /** An optional file turned out not to exist: it no longer counts toward the total. */
  forget(file: PresetFile): void {
    this.done.delete(file);
    this.totals.delete(file);
  }
}

/** How to install the given files by hand when the hub cannot be reached from this machine. */
export function manualSteps(preset: Preset, files: readonly PresetFile[], hub: string, folder: string): string {
  const lines = [`To install model preset "${preset.id}" by hand, fetch these files on a machine with access and put them in ${folder}/ :`];
  for (const f of files) {
    const url = fileUrl(hub, preset, f);
    const facts = [f.size === null ? 'size unknown' : `${f.size} bytes`, ...(f.sha256 ? [`sha256 ${f.sha256}`] : [])];
    if (f.extract) {
      lines.push(`  ${url}`, `    extract ${f.extract.map((m) => m.name).join(' and ')} from this zip into the folder`);
    } else {
      lines.push(`  ${url}`, `    → ${localName(f)} (${facts.join(', ')})${f.optional ? ' — optional: may not exist' : ''}`);
    }
  }
  if (preset.mirrors.length > 0) lines.push(`The same files are also published as: ${preset.mirrors.join(', ')}.`);
  lines.push(`Set REFSEG_HUB_URL to use a reachable mirror of the hub, or REFSEG_MODELS_DIR to use another folder.`);
  return lines.join('\n');
}
