// Messages between the HTTP thread and the pipeline thread, and errors across them: a problem
// is sent as its fields and rebuilt as a RefsegError with the same status, type and detail.
import type { GpuReferenceAnnotation, MaskPrompt } from '../../shared/api/gpu-node.ts';
import { InternalError, PROBLEM_TYPE_BASE, RefsegError, ServiceUnavailableError } from '../../shared/errors.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import type { ModelsInfo, ModelsLoad } from '../models/index.ts';
import type { ProposalRequest, RequestOptions, Stage } from '../pipeline/index.ts';

/** Request options without the observer (a function cannot cross; stages come back as messages). */
type Plain<T> = Omit<T, 'observe'>;

export type PipelineCall =
  | { method: 'candidates'; bytes: Uint8Array; request: Plain<ProposalRequest> }
  | { method: 'referenceVectors'; bytes: Uint8Array; annotations: readonly GpuReferenceAnnotation[]; request: Plain<RequestOptions> }
  | { method: 'previewMask'; bytes: Uint8Array; prompt: MaskPrompt; request: Plain<RequestOptions> }
  | { method: 'segment'; bytes: Uint8Array; prototypes: readonly ArrayLike<number>[]; request: Plain<ProposalRequest & { options?: PipelineOptionsInput }> };

export type MainMessage =
  | { type: 'call'; id: number; call: PipelineCall; remainingMs?: number }
  | { type: 'cancel'; id: number }
  | { type: 'close' };

export interface SerializedProblem {
  status: number;
  type: string;
  title: string;
  detail: string;
  field?: string;
  extra: Record<string, unknown>;
  retryAfterSeconds?: number;
}

export type HostMessage =
  | { type: 'ready'; info: ModelsInfo; modelId: string }
  | { type: 'failed'; error: SerializedProblem | { name: string; message: string } }
  | { type: 'stage'; id: number; stage: Stage; ms: number }
  | { type: 'result'; id: number; value: unknown; load: ModelsLoad }
  | { type: 'error'; id: number; error: SerializedProblem; load: ModelsLoad }
  | { type: 'closed' };

export function serializeProblem(err: unknown): SerializedProblem {
  if (err instanceof RefsegError) {
    return {
      status: err.status,
      type: err.type,
      title: err.title,
      detail: err.detail,
      ...(err.field === undefined ? {} : { field: err.field }),
      extra: { ...err.extra },
      ...(err instanceof ServiceUnavailableError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    };
  }
  // Not for clients (500 hides the detail); the stack goes to the node's log.
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { status: 500, type: `${PROBLEM_TYPE_BASE}internal`, title: 'Internal error', detail: `pipeline thread: ${text}`, extra: {} };
}

export function reviveProblem(p: SerializedProblem): RefsegError {
  if (p.status === 503) return new ServiceUnavailableError(p.detail, p.retryAfterSeconds ?? 1);
  if (p.status >= 500) return new InternalError(p.detail);
  const slug = p.type.startsWith(PROBLEM_TYPE_BASE) ? p.type.slice(PROBLEM_TYPE_BASE.length) : 'bad-request';
  return new RefsegError(p.status, slug, p.title, p.detail, { ...(p.field === undefined ? {} : { field: p.field }), extra: p.extra });
}
