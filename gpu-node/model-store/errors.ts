// What can go wrong while fetching model files. The hub is an upstream of the gpu-node, so
// hub failures are 502s if they ever surface through the API; the command-line tool prints
// `message`, which is written for the person running it.
import { BadRequestError, ConflictError, UpstreamError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

export class UnknownPresetError extends BadRequestError {
  constructor(id: string, known: readonly string[], options?: RefsegErrorOptions) {
    const family = id.split('-')[0];
    const similar = known.filter((k) => k.includes(id) || k.split('-')[0] === family).slice(0, 8);
    super(
      `Unknown model preset "${id}".${similar.length ? ` Similar: ${similar.join(', ')}.` : ''} \`refseg models list\` shows them all.`,
      { ...options, extra: { ...options?.extra, preset: id } },
      'unknown-preset',
      'Unknown model preset',
    );
  }
}

/** The hub answered 404 for a file the preset needs. */
export class ModelFileNotFoundError extends UpstreamError {
  readonly url: string;

  constructor(url: string, file: string, options?: RefsegErrorOptions) {
    super(
      `The model hub has no file ${file} at ${url} (HTTP 404). The preset's repository, revision or file name may have changed upstream.`,
      { ...options, extra: { ...options?.extra, url, file } },
      'model-file-not-found',
      'Model file not found',
    );
    this.url = url;
  }
}

/** The hub answered something other than the file (5xx, 403, ...). */
export class ModelHubHttpError extends UpstreamError {
  readonly httpStatus: number;

  constructor(url: string, httpStatus: number, options?: RefsegErrorOptions) {
    super(`The model hub answered HTTP ${httpStatus} for ${url}.`, { ...options, extra: { ...options?.extra, url, httpStatus } }, 'model-hub-http', 'Model hub error');
    this.httpStatus = httpStatus;
  }
}

/** The bytes on offer (or received) are not as many as the preset says the file has. */
export class ModelSizeMismatchError extends UpstreamError {
  constructor(file: string, expected: number, actual: number, where: string, options?: RefsegErrorOptions) {
    super(
      `${file}: expected ${expected} bytes but ${where} ${actual}; nothing was kept.`,
      { ...options, extra: { ...options?.extra, file, expected, actual } },
      'model-size-mismatch',
      'Model file size mismatch',
    );
  }
}

export class ModelChecksumMismatchError extends UpstreamError {
  constructor(file: string, expected: string, actual: string, options?: RefsegErrorOptions) {
    super(
      `${file}: SHA-256 is ${actual}, expected ${expected}; nothing was kept.`,
      { ...options, extra: { ...options?.extra, file, expected, actual } },
      'model-checksum-mismatch',
      'Model file checksum mismatch',
    );
  }
}

/** No connection to the hub at all. The message says how to install the files by hand. */
export class ModelHubUnreachableError extends UpstreamError {
  constructor(hubUrl: string, reason: string, manualSteps: string, options?: RefsegErrorOptions) {
    super(
      `Cannot reach the model hub at ${hubUrl} (${reason}).\n${manualSteps}`,
      { ...options, extra: { ...options?.extra, hubUrl } },
      'model-hub-unreachable',
      'Model hub unreachable',
    );
  }
}

/** The transfer stopped part-way; what arrived is kept in the `.part` file for the next run. */
export class DownloadInterruptedError extends UpstreamError {
  readonly partPath: string;
  readonly received: number;
  /** Why the transfer stopped, e.g. "other side closed". */
  readonly reason: string;

  constructor(file: string, partPath: string, received: number, total: number | null, reason: string, options?: RefsegErrorOptions) {
    super(
      `Download of ${file} stopped after ${received}${total === null ? '' : ` of ${total}`} bytes (${reason}). ` +
        `The bytes so far are kept in ${partPath}; run the same command again to resume.`,
      { ...options, extra: { ...options?.extra, file, received, total } },
      'model-download-interrupted',
      'Model download interrupted',
    );
    this.partPath = partPath;
    this.received = received;
    this.reason = reason;
  }
}

/** Another process is pulling the same preset into the same folder. */
export class ModelStoreLockedError extends ConflictError {
  constructor(lockPath: string, pid: number, options?: RefsegErrorOptions) {
    super(
      `Another refseg process (pid ${pid}) is downloading into the same folder (lock ${lockPath}). Wait for it, or remove the lock file if that process is gone.`,
      { ...options, extra: { ...options?.extra, pid } },
      'model-store-locked',
      'Model store busy',
    );
  }
}

/** A downloaded archive is not a zip we can read, or lacks a member the preset names. */
export class ModelArchiveError extends UpstreamError {
  constructor(archive: string, detail: string, options?: RefsegErrorOptions) {
    super(`${archive}: ${detail}`, { ...options, extra: { ...options?.extra, archive } }, 'model-archive', 'Bad model archive');
  }
}
