// Calls to a gpu-node (contract: gpu-node.ts), each through a pool (gpu-node-pool.ts): the edge's,
// and the dataset commands' pool of one node. A response is turned into a value or into the error
// class that tells the pool what to do.
import {
  ANNOTATIONS_PART,
  GPU_NODE_PATHS,
  GpuMaskPreviewResponseSchema,
  GpuNodeInfoSchema,
  IMAGE_PART,
  ORIENTATION_HEADER,
  OrientationSchema,
  PROMPT_PART,
  ReferenceVectorsResponseSchema,
  REQUEST_ID_HEADER,
  TIMEOUT_HEADER,
} from './gpu-node.ts';
import type { ExifMode, GpuMaskPreviewResponse, GpuNodeInfo, GpuReferenceAnnotation, MaskPrompt, Orientation, ReferenceVectorsResponse } from './gpu-node.ts';
import type { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../errors.ts';
import type { ProblemBody } from '../errors.ts';
import type { ProposalPreset } from '../schemas.ts';
import type { CandidateSet } from '../types.ts';
import { CANDIDATE_SET_MEDIA_TYPE, decodeCandidateSet } from '../wire/index.ts';
import { GpuNodeFailedError, GpuNodeRejectedError, GpuNodeUnavailableError } from './gpu-node-errors.ts';
import type { GpuAttempt, GpuPool } from './gpu-node-pool.ts';

export interface GpuCallContext {
  secret: string;
  requestId: string;
  /** Whose call it is (the pool's fair share). */
  tenant?: string;
  /** Aborted when the caller is gone or its request failed: the call leaves the queue or is aborted. */
  signal?: AbortSignal;
}

export interface CandidatesRequest {
  image: Uint8Array;
  imageType: string;
  preset: ProposalPreset;
  exif: ExifMode;
  modelId: string;
}

export interface FetchedCandidates {
  set: CandidateSet;
  orientation: Orientation;
}

function headers(ctx: GpuCallContext, attempt: GpuAttempt, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${ctx.secret}`, [REQUEST_ID_HEADER]: ctx.requestId, [TIMEOUT_HEADER]: String(attempt.timeoutMs), ...extra };
}

const callerOf = (ctx: GpuCallContext) => ({
  ...(ctx.tenant === undefined ? {} : { tenant: ctx.tenant }),
  ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
});

/** GET /v1/info: the pool's health probe (it needs the secret, so it also proves the node accepts it). */
export async function probeNode(url: string, secret: string, signal: AbortSignal): Promise<GpuNodeInfo> {
  const res = await fetch(url + GPU_NODE_PATHS.info, { headers: { Authorization: `Bearer ${secret}` }, signal });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET ${GPU_NODE_PATHS.info} answered ${res.status}`);
  }
  const parsed = GpuNodeInfoSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error(`GET ${GPU_NODE_PATHS.info} answered an unexpected document: ${parsed.error.message}`);
  return parsed.data;
}

/** POST /v1/candidates (binary). Idempotent: retried once on another node. */
export function fetchCandidates(pool: GpuPool, ctx: GpuCallContext, req: CandidatesRequest): Promise<FetchedCandidates> {
  const query = new URLSearchParams({ preset: req.preset, exif: req.exif, format: 'binary' });
  return pool.call(
    async (attempt) => {
      const res = await fetch(`${attempt.url}${GPU_NODE_PATHS.candidates}?${query}`, {
        method: 'POST',
        headers: headers(ctx, attempt, { 'Content-Type': req.imageType, Accept: CANDIDATE_SET_MEDIA_TYPE }),
        body: req.image as BodyInit,
        signal: attempt.signal,
      });
      await throwUnlessOk(attempt, res);
      const orientation = OrientationSchema.safeParse(res.headers.get(ORIENTATION_HEADER));
      if (!orientation.success) throw new GpuNodeFailedError(attempt.url, `no valid ${ORIENTATION_HEADER} header on the candidate set`);
      const set = decodeCandidateSet(new Uint8Array(await res.arrayBuffer()));
      return { set, orientation: orientation.data };
    },
    { idempotent: true, modelId: req.modelId, what: 'candidates', ...callerOf(ctx) },
  );
}

interface ImageForm {
  image: Uint8Array;
  imageType: string;
  exif: ExifMode;
}

export interface ReferenceVectorsRequest extends ImageForm {
  annotations: GpuReferenceAnnotation[];
  modelId: string;
}

/** One attempt of a multipart POST: the image and one JSON part; the answer checked against `schema`. */
async function postImageForm<T>(attempt: GpuAttempt, ctx: GpuCallContext, path: string, req: ImageForm, part: [name: string, value: unknown], schema: z.ZodType<T>): Promise<T> {
  const form = new FormData();
  form.set(IMAGE_PART, new Blob([req.image as BlobPart], { type: req.imageType }), 'image');
  form.set(part[0], JSON.stringify(part[1]));
  const res = await fetch(`${attempt.url}${path}?${new URLSearchParams({ exif: req.exif })}`, {
    method: 'POST',
    headers: headers(ctx, attempt),
    body: form,
    signal: attempt.signal,
  });
  await throwUnlessOk(attempt, res);
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success) throw new GpuNodeFailedError(attempt.url, `unexpected ${path} response: ${parsed.error.message}`);
  return parsed.data;
}

/** POST /v1/reference-vectors. Idempotent (nothing is stored on the node). */
export function fetchReferenceVectors(pool: GpuPool, ctx: GpuCallContext, req: ReferenceVectorsRequest): Promise<ReferenceVectorsResponse> {
  return pool.call(
    (attempt) => postImageForm(attempt, ctx, GPU_NODE_PATHS.referenceVectors, req, [ANNOTATIONS_PART, req.annotations], ReferenceVectorsResponseSchema),
    { idempotent: true, modelId: req.modelId, what: 'reference vectors', ...callerOf(ctx) },
  );
}

export interface MaskPreviewRequest extends ImageForm {
  prompt: MaskPrompt;
}

/** POST /v1/mask-preview. Idempotent; any model will do (a preview is not stored). */
export function fetchMaskPreview(pool: GpuPool, ctx: GpuCallContext, req: MaskPreviewRequest): Promise<GpuMaskPreviewResponse> {
  return pool.call((attempt) => postImageForm(attempt, ctx, GPU_NODE_PATHS.maskPreview, req, [PROMPT_PART, req.prompt], GpuMaskPreviewResponseSchema), {
    idempotent: true,
    what: 'mask preview',
    ...callerOf(ctx),
  });
}

/**
 * 2xx passes; the node's 4xx about the input goes to the client as is; overload (429/503) is
 * "try elsewhere"; anything else (5xx, and 401/403/404 which mean the edge and node disagree on
 * secret or version) is a node failure.
 */
async function throwUnlessOk(attempt: GpuAttempt, res: Response): Promise<void> {
  if (res.ok) return;
  const problem = await readProblem(res);
  const what = `HTTP ${res.status}${problem ? `: ${problem.detail}` : ''}`;
  if (res.status === 429 || res.status === 503) throw new GpuNodeUnavailableError(attempt.url, `is busy (${what})`, { markDown: false });
  if (res.status >= 400 && res.status < 500 && ![401, 403, 404, 405].includes(res.status) && problem) throw new GpuNodeRejectedError(problem);
  throw new GpuNodeFailedError(attempt.url, what);
}

async function readProblem(res: Response): Promise<ProblemBody | null> {
  const type = res.headers.get('Content-Type') ?? '';
  if (!type.startsWith(PROBLEM_CONTENT_TYPE) && !type.startsWith('application/json')) {
    await res.body?.cancel();
    return null;
  }
  try {
    const body = (await res.json()) as Partial<ProblemBody>;
    if (typeof body.type !== 'string' || typeof body.status !== 'number' || typeof body.detail !== 'string') return null;
    return { title: 'Upstream problem', requestId: '', ...body } as ProblemBody;
  } catch {
    return null;
  }
}
