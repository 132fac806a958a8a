// A non-2xx answer of the API, as a RefsegError carrying the problem+json body it came with, so
// callers catch one error family whether the code runs in a browser or next to the edge.
import { PROBLEM_TYPE_BASE, RefsegError } from '../errors.ts';
import type { ProblemBody } from '../errors.ts';

/** Problem type of an answer that was not problem+json (a proxy's HTML page, an empty 502). */
export const UNEXPECTED_RESPONSE_SLUG = 'unexpected-response';

export class RefsegApiError extends RefsegError {
  /** The problem document as received (or made up for a non-problem answer). */
  readonly problem: ProblemBody;
  readonly requestId: string;
  /** Seconds from the Retry-After header (429, 503), when there was one. */
  readonly retryAfterSeconds?: number;

  constructor(problem: ProblemBody, retryAfterSeconds?: number) {
    const { type, title, status, detail, field } = problem;
    // RefsegError builds its type from a slug under PROBLEM_TYPE_BASE; a foreign type stays
    // readable in `problem.type`.
    const slug = type.startsWith(PROBLEM_TYPE_BASE) ? type.slice(PROBLEM_TYPE_BASE.length) : UNEXPECTED_RESPONSE_SLUG;
    const { type: _t, title: _ti, status: _s, detail: _d, requestId: _r, field: _f, ...extra } = problem;
    super(status, slug, title, detail, { ...(field === undefined ? {} : { field }), extra });
    this.problem = problem;
    this.requestId = problem.requestId;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The error for a response that is not ok; reads (and so consumes) its body. */
export async function apiErrorOf(res: Response): Promise<RefsegApiError> {
  const text = await res.text();
  const retryAfter = retryAfterSeconds(res.headers.get('Retry-After'));
  const problem = parseProblem(text, res.status) ?? {
    type: PROBLEM_TYPE_BASE + UNEXPECTED_RESPONSE_SLUG,
    title: res.statusText || 'Unexpected response',
    status: res.status,
    detail: `HTTP ${res.status} without a problem document${text ? `: ${text.slice(0, 200)}` : ''}`,
    requestId: res.headers.get('X-Request-Id') ?? '',
  };
  return new RefsegApiError(problem, retryAfter);
}

/** The body as a problem document when it is one; the content type is not trusted either way. */
function parseProblem(text: string, status: number): ProblemBody | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { field, ...v } = value as Record<string, unknown>;
  if (typeof v.type !== 'string' || typeof v.title !== 'string' || typeof v.detail !== 'string') return null;
  return {
    ...v,
    type: v.type,
    title: v.title,
    // The HTTP status is what happened; a body that disagrees does not override it.
    status,
    detail: v.detail,
    requestId: typeof v.requestId === 'string' ? v.requestId : '',
    ...(typeof field === 'string' ? { field } : {}),
  };
}

/** Retry-After as delta-seconds (the edge's form) or an HTTP date; undefined when absent or unreadable. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
