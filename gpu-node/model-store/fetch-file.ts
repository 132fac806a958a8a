// One file from an HTTP server into `<target>.part`, resumed with a Range request when a
// `.part` is already there, checked (size, SHA-256) and renamed onto `<target>` only when
// complete, so a finished name never holds half a file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import {
  DownloadInterruptedError,
  ModelChecksumMismatchError,
  ModelFileNotFoundError,
  ModelHubHttpError,
  ModelSizeMismatchError,
} from './errors.ts';
import { errorCode, sizeOf } from './fs-util.ts';

export interface FetchFileOptions {
  url: string;
  /** Final path; bytes collect in `<target>.part` until complete. */
  target: string;
  /** File name used in messages. */
  label: string;
  /** Exact size the file must have, or null to trust the server's length. */
  size: number | null;
  sha256?: string;
  signal?: AbortSignal;
  /** No byte for this long ends the attempt as interrupted. */
  stallTimeoutMs?: number;
  /** Once the server has answered: bytes kept from the `.part`; then after every chunk. */
  onBytes?: (fileDone: number, fileTotal: number | null) => void;
}

export interface FetchFileResult {
  bytes: number;
  /** Bytes that were already in the `.part` file and were not fetched again. */
  resumedFrom: number;
}

/** fetch() failed before any response: nothing reached the server or nothing came back. */
export class ConnectFailure extends Error {
  readonly code: string;

  constructor(url: string, cause: unknown) {
    const code = errorCode(cause) ?? 'UNKNOWN';
    super(`${describeCause(cause)} (${url})`, { cause });
    this.name = 'ConnectFailure';
    this.code = code;
  }
}

const USER_AGENT = 'refseg-model-store/0.1';

export function partPath(target: string): string {
  return `${target}.part`;
}

export async function fetchFile(options: FetchFileOptions): Promise<FetchFileResult> {
  const part = partPath(options.target);
  let start = (await sizeOf(part)) ?? 0;
  if (options.size !== null && start > options.size) {
    await rm(part, { force: true });
    start = 0;
  }
  const resumedFrom = start;
  if (options.size !== null && start === options.size) {
    options.onBytes?.(start, options.size);
    await finalize(options, part, start);
    return { bytes: start, resumedFrom };
  }
  const state = { resumedFrom };
  const bytes = await transfer(options, part, start, true, state);
  await finalize(options, part, bytes);
  return { bytes, resumedFrom: state.resumedFrom };
}

async function transfer(
  options: FetchFileOptions,
  part: string,
  start: number,
  mayRestart: boolean,
  state: { resumedFrom: number },
): Promise<number> {
  const stall = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
  const stallMs = options.stallTimeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new Error(`no data for ${Math.round(stallMs / 1000)} s`)), stallMs);
  };

  const headers: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
  if (start > 0) headers.range = `bytes=${start}-`;
  arm();
  let response: Response;
  try {
    response = await fetch(options.url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    clearTimeout(timer);
    if (signal.aborted) throw interrupted(options, part, start, options.size, signal.reason);
    throw new ConnectFailure(options.url, err);
  }

  try {
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ModelFileNotFoundError(options.url, options.label);
    }
    if (response.status === 416 && start > 0) {
      // The range begins at or past the end: either the .part is already whole, or it belongs
      // to another version of the file. The server's length (`bytes */N`) tells which.
      await response.body?.cancel();
      const total = parseContentRange(response.headers.get('content-range'))?.total ?? null;
      if (total === start && (options.size === null || options.size === start)) {
        options.onBytes?.(start, total);
        return start;
      }
      if (!mayRestart) throw new ModelHubHttpError(options.url, 416);
      clearTimeout(timer);
      return await restart(options, part, state);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new ModelHubHttpError(options.url, response.status);
    }

    let offset = 0;
    let total: number | null = null;
    if (response.status === 206) {
      const range = parseContentRange(response.headers.get('content-range'));
      if (!range || range.start !== start) {
        // A range we did not ask for: start over rather than splice bytes at the wrong place.
        await response.body?.cancel();
        if (!mayRestart) throw new ModelHubHttpError(options.url, 206);
        clearTimeout(timer);
        return await restart(options, part, state);
      }
      offset = start;
      total = range.total;
    } else {
      // 200 to a Range request means the server ignored it: the body is the whole file.
      const length = response.headers.get('content-length');
      total = length !== null && response.headers.get('content-encoding') === null ? Number(length) : null;
      state.resumedFrom = 0;
    }

    if (options.size !== null && total !== null && total !== options.size) {
      await response.body?.cancel();
      await rm(part, { force: true });
      throw new ModelSizeMismatchError(options.label, options.size, total, 'the server offers');
    }
    const expected = options.size ?? total;
    options.onBytes?.(offset, expected);
    return await writeBody(options, response, part, offset, expected, signal, arm);
  } finally {
    clearTimeout(timer);
  }
}

async function restart(options: FetchFileOptions, part: string, state: { resumedFrom: number }): Promise<number> {
  await rm(part, { force: true });
  state.resumedFrom = 0;
  return transfer(options, part, 0, false, state);
}

async function writeBody(
  options: FetchFileOptions,
  response: Response,
  part: string,
  offset: number,
  expected: number | null,
  signal: AbortSignal,
  onChunk: () => void,
): Promise<number> {
  const file = await open(part, offset > 0 ? 'a' : 'w');
  let done = offset;
  try {
    const reader = response.body?.getReader();
    while (reader) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch (err) {
        throw interrupted(options, part, done, expected, signal.aborted ? signal.reason : err);
      }
      if (read.done) break;
      const chunk = read.value;
      if (expected !== null && done + chunk.byteLength > expected) {
        await reader.cancel().catch(() => {});
        await file.close();
        await rm(part, { force: true });
        throw new ModelSizeMismatchError(options.label, expected, done + chunk.byteLength, 'the server sent at least');
      }
      await file.write(chunk);
      done += chunk.byteLength;
      onChunk();
      options.onBytes?.(done, expected);
    }
    if (expected !== null && done < expected) throw interrupted(options, part, done, expected, 'the connection closed early');
    await file.datasync();
    return done;
  } finally {
    await file.close().catch(() => {});
  }
}

async function finalize(options: FetchFileOptions, part: string, bytes: number): Promise<void> {
  if (options.size !== null && bytes !== options.size) {
    await rm(part, { force: true });
    throw new ModelSizeMismatchError(options.label, options.size, bytes, 'received');
  }
  if (options.sha256) {
    const actual = await sha256File(part);
    if (actual !== options.sha256) {
      await rm(part, { force: true });
      throw new ModelChecksumMismatchError(options.label, options.sha256, actual);
    }
  }
  await rename(part, options.target);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

function interrupted(options: FetchFileOptions, part: string, received: number, total: number | null, reason: unknown): DownloadInterruptedError {
  return new DownloadInterruptedError(options.label, part, received, total, describeCause(reason), { cause: reason });
}

/** Parses `Content-Range`: "bytes 100-199/1000" gives start 100, end 199, total 1000; the unsatisfied-range form (only a total) gives start NaN. */
export function parseContentRange(header: string | null): { start: number; end: number; total: number | null } | null {
  if (!header) return null;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(header.trim());
  if (!m) return null;
  return {
    start: m[1] === undefined ? Number.NaN : Number(m[1]),
    end: m[2] === undefined ? Number.NaN : Number(m[2]),
    total: m[3] === '*' ? null : Number(m[3]),
  };
}

function describeCause(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  let e: unknown = cause;
  let message = 'unknown error';
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    // The innermost message is the precise one ("connect ECONNREFUSED 127.0.0.1:9").
    message = e.message;
    e = e.cause;
  }
  return message;
}
