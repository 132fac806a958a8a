// How a gpu-node call failed decides what the pool does next: try another node, mark this one
// down, or give the client the node's answer (its 4xx is about the client's input).
import { RefsegError, UpstreamError } from '../errors.ts';
import type { ProblemBody } from '../errors.ts';

/** The node could not be reached, did not answer in time, or said it is overloaded. */
export class GpuNodeUnavailableError extends UpstreamError {
  /** Whether the node should be taken out of rotation until its next good health check. */
  readonly markDown: boolean;

  constructor(url: string, reason: string, options: { markDown: boolean; cause?: unknown }) {
    super(`gpu-node ${url} ${reason}.`, { cause: options.cause }, 'gpu-unavailable', 'gpu-node unavailable');
    this.markDown = options.markDown;
  }
}

/** The node failed on its side (5xx) or answered with something unusable. Worth one retry elsewhere. */
export class GpuNodeFailedError extends UpstreamError {
  constructor(url: string, detail: string, options?: { cause?: unknown }) {
    super(`gpu-node ${url} failed: ${detail}`, options);
  }
}

/**
 * The node refused the input (4xx): the client's problem, passed on with the node's type, status,
 * detail and field so the client sees the same answer a direct call would give.
 */
export class GpuNodeRejectedError extends RefsegError {
  constructor(problem: ProblemBody) {
    const slug = problem.type.replace(/^.*\/problems\//, '') || 'bad-request';
    const extra = Object.fromEntries(Object.entries(problem).filter(([k]) => !['type', 'title', 'status', 'detail', 'requestId', 'field'].includes(k)));
    super(problem.status, slug, problem.title, problem.detail, { ...(problem.field === undefined ? {} : { field: problem.field }), extra });
  }
}
