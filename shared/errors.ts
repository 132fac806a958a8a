// One error hierarchy for every tier, and its single rendering as RFC 9457 problem+json.
// Every error a client can see is a RefsegError; anything else is treated as an internal
// failure and rendered without its message, so stack traces and paths never leak.
import { $ZodError } from 'zod/v4/core';
import type { $ZodIssue } from 'zod/v4/core';

export const PROBLEM_TYPE_BASE = 'https://refseg.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Members every problem document has; extra members may follow. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  requestId: string;
  field?: string;
  [member: string]: unknown;
}

export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: ProblemBody;
}

export interface RefsegErrorOptions {
  /** Request field the error is about, as a dotted path (`references[2].mask.counts`). */
  field?: string;
  /** Extra problem members (must be JSON-serialisable and safe to show the client). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'requestId', 'field']);

export class RefsegError extends Error {
  readonly status: number;
  /** Stable problem type URI; clients switch on this, never on `detail`. */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly field?: string;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(status: number, slug: string, title: string, detail: string, options: RefsegErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.type = PROBLEM_TYPE_BASE + slug;
    this.title = title;
    this.detail = detail;
    if (options.field !== undefined) this.field = options.field;
    this.extra = options.extra ?? {};
  }

  /** Whether `detail` and `extra` may be shown to the client: not for internal failures (500). */
  get exposed(): boolean {
    return this.status !== 500;
  }

  /** Response headers this kind of problem needs (Retry-After, WWW-Authenticate, ...). */
  headers(): Record<string, string> {
    return {};
  }
}

// ---- 4xx: the request is wrong -----------------------------------------------------------

export class BadRequestError extends RefsegError {
  constructor(detail: string, options?: RefsegErrorOptions, slug = 'bad-request', title = 'Bad request') {
    super(400, slug, title, detail, options);
  }
}

/** Text that should be base64, hex, ... is not. */
export class InvalidEncodingError extends BadRequestError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'invalid-encoding', 'Invalid encoding');
  }
}

/** One failed check of a schema, with the path of the offending field. */
export interface ValidationIssue {
  path: string;
  message: string;
  code: string;
}

/**
 * The request parsed but broke its schema. Status 400 when its shape is wrong (wrong type,
 * missing or unknown member), 422 when the shape is right but a value breaks a rule.
 */
export class ValidationError extends RefsegError {
  /** At most MAX_LISTED_ISSUES, each message at most MAX_ISSUE_MESSAGE characters. */
  readonly issues: readonly ValidationIssue[];

  constructor(allIssues: ValidationIssue[], options: { status?: 400 | 422; cause?: unknown } = {}) {
    const status = options.status ?? 400;
    // A hostile body can break a schema a million times (or name a million unknown keys in one
    // issue): the answer lists a few, shortened, and says how many there were.
    const issues = allIssues.slice(0, MAX_LISTED_ISSUES).map((i) => ({ ...i, path: shorten(i.path), message: shorten(i.message) }));
    const first = issues[0];
    const detail =
      issues.length === 0
        ? 'The request is invalid.'
        : issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') +
          (allIssues.length > issues.length ? `; and ${allIssues.length - issues.length} more` : '');
    super(status, status === 400 ? 'invalid-request' : 'invalid-value', 'Invalid request', detail, {
      field: first?.path || undefined,
      extra: { issues, ...(allIssues.length > issues.length ? { issueCount: allIssues.length } : {}) },
      cause: options.cause,
    });
    this.issues = issues;
  }

  static fromZod(error: $ZodError, prefix = ''): ValidationError {
    const issues = error.issues.map((issue) => ({
      path: formatPath(prefix, issue.path),
      message: issue.message,
      code: issue.code,
    }));
    const status = error.issues.some(isShapeIssue) ? 400 : 422;
    return new ValidationError(issues, { status, cause: error });
  }
}

export const MAX_LISTED_ISSUES = 10;
export const MAX_ISSUE_MESSAGE = 300;

function shorten(text: string): string {
  return text.length <= MAX_ISSUE_MESSAGE ? text : `${text.slice(0, MAX_ISSUE_MESSAGE - 1)}…`;
}

const SHAPE_CODES = new Set<$ZodIssue['code']>(['invalid_type', 'unrecognized_keys', 'invalid_union', 'invalid_key', 'invalid_element']);

function isShapeIssue(issue: $ZodIssue): boolean {
  return SHAPE_CODES.has(issue.code);
}

/** `['refs', 2, 'mask']` → `refs[2].mask` (what a client would write in code). */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export class UnauthorizedError extends RefsegError {
  constructor(detail = 'A valid `Authorization: Bearer <token>` header is required.', options?: RefsegErrorOptions) {
    super(401, 'unauthorized', 'Unauthorized', detail, options);
  }

  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Bearer' };
  }
}

export class ForbiddenError extends RefsegError {
  constructor(detail = 'This token may not do that.', options?: RefsegErrorOptions) {
    super(403, 'forbidden', 'Forbidden', detail, options);
  }
}

export class NotFoundError extends RefsegError {
  /** `resource` names the kind of thing (`bank`, `reference`) so clients can tell 404s apart. */
  constructor(resource: string, id: string, options?: RefsegErrorOptions) {
    super(404, 'not-found', 'Not found', `No ${resource} with id "${id}".`, {
      ...options,
      extra: { ...options?.extra, resource, id },
    });
  }
}

export class PayloadTooLargeError extends RefsegError {
  constructor(limitBytes: number, options?: RefsegErrorOptions) {
    super(413, 'payload-too-large', 'Payload too large', `The request body exceeds the limit of ${limitBytes} bytes.`, {
      ...options,
      extra: { ...options?.extra, limitBytes },
    });
  }
}

export class UnsupportedMediaTypeError extends RefsegError {
  constructor(received: string | null, accepted: readonly string[], options?: RefsegErrorOptions) {
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `Content type ${received === null ? '(none)' : `"${received}"`} is not accepted; use one of: ${accepted.join(', ')}.`,
      { ...options, extra: { ...options?.extra, accepted: [...accepted] } },
    );
  }
}

/** Well-formed input the service cannot work with. Subclasses name the precise reason. */
export class UnprocessableError extends RefsegError {
  constructor(detail: string, options?: RefsegErrorOptions, slug = 'unprocessable', title = 'Unprocessable input') {
    super(422, slug, title, detail, options);
  }
}

export class PixelLimitError extends UnprocessableError {
  constructor(width: number, height: number, maxPixels: number, options?: RefsegErrorOptions) {
    super(
      `The image is ${width}×${height} = ${width * height} pixels; the limit is ${maxPixels}.`,
      { ...options, extra: { ...options?.extra, width, height, maxPixels } },
      'pixel-limit',
      'Image too large',
    );
  }
}

export class MalformedRleError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'malformed-rle', 'Malformed RLE mask');
  }
}

export class MalformedPolygonError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'malformed-polygon', 'Malformed polygon');
  }
}

export class MalformedBoxError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'malformed-box', 'Malformed box');
  }
}

/**
 * The reference's soft weights are zero on every 37×37 patch sample point, so its instance
 * mean would be 0/0 and poison the class prototype (spec/method.md §2): refused, never stored.
 */
export class EmptyReferenceError extends UnprocessableError {
  constructor(detail = 'The reference mask covers no patch sample point of its crop (too thin or too small).', options?: RefsegErrorOptions) {
    super(detail, options, 'empty-reference', 'Reference covers no patch');
  }
}

export class ConflictError extends RefsegError {
  constructor(detail: string, options?: RefsegErrorOptions, slug = 'conflict', title = 'Conflict') {
    super(409, slug, title, detail, options);
  }
}

/** A bank (or cached candidate set) was made with other models than the ones asked to use it. */
export class ModelMismatchError extends ConflictError {
  constructor(expected: string, actual: string, options?: RefsegErrorOptions) {
    super(
      `Model id "${actual}" does not match "${expected}"; embeddings from different models cannot be compared.`,
      { ...options, extra: { ...options?.extra, expectedModelId: expected, actualModelId: actual } },
      'model-mismatch',
      'Model mismatch',
    );
  }
}

// ---- 5xx: the service is at fault ----------------------------------------------------------

export class InternalError extends RefsegError {
  constructor(detail = 'Internal error.', options?: RefsegErrorOptions) {
    super(500, 'internal', 'Internal error', detail, options);
  }
}

/** The gpu-node (or another upstream) failed or answered with something unusable. */
export class UpstreamError extends RefsegError {
  constructor(detail: string, options?: RefsegErrorOptions, slug = 'upstream', title = 'Upstream failure') {
    super(502, slug, title, detail, options);
  }
}

/**
 * A binary or JSON candidate set could not be decoded. Candidate sets come from the gpu-node
 * or the edge's cache, never from clients, so this is an upstream failure (502).
 */
export class WireFormatError extends UpstreamError {
  /** Byte offset (binary form) where decoding stopped, when known. */
  readonly offset?: number;

  constructor(detail: string, options: RefsegErrorOptions & { offset?: number } = {}) {
    const { offset, ...rest } = options;
    const at = offset === undefined ? {} : { offset };
    const fullDetail = offset === undefined ? detail : `${detail} (at byte ${offset})`;
    super(fullDetail, { ...rest, extra: { ...rest.extra, ...at } }, 'wire-format', 'Malformed candidate set');
    if (offset !== undefined) this.offset = offset;
  }
}

export class ServiceUnavailableError extends RefsegError {
  readonly retryAfterSeconds: number;

  /** `retryAfterSeconds` is rounded up to whole seconds, as the Retry-After header needs. */
  constructor(detail: string, retryAfterSeconds: number, options?: RefsegErrorOptions) {
    const seconds = Math.max(0, Math.ceil(retryAfterSeconds)) || 0;
    super(503, 'unavailable', 'Service unavailable', detail, { ...options, extra: { ...options?.extra, retryAfter: seconds } });
    this.retryAfterSeconds = seconds;
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

// ---- rendering -----------------------------------------------------------------------------

const HIDDEN_DETAIL = 'An internal error occurred. Quote the requestId when reporting it.';

/** Any thrown value → the problem+json response to send. Never throws. */
export function toProblem(err: unknown, requestId: string): ProblemResponse {
  const error = err instanceof $ZodError ? ValidationError.fromZod(err) : err;
  const known = error instanceof RefsegError ? error : new InternalError();
  const exposed = known.exposed;
  const body: ProblemBody = {
    ...(exposed ? publicExtra(known.extra) : {}),
    type: known.type,
    title: known.title,
    status: known.status,
    detail: exposed ? known.detail : HIDDEN_DETAIL,
    requestId,
  };
  if (exposed && known.field !== undefined) body.field = known.field;
  return {
    status: known.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'X-Request-Id': requestId, ...known.headers() },
    body,
  };
}

function publicExtra(extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra)) if (!RESERVED_MEMBERS.has(k)) out[k] = v;
  return out;
}
