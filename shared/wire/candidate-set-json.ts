// JSON form of a candidate set (`?format=json`): the binary form's fields with embeddings as
// base64 of the same little-endian bytes, so both forms carry identical values and obey the
// same rules (validate.ts); only the framing differs.
import { formatPath, InternalError, WireFormatError } from '../errors.ts';
import { base64ToBytes, bytesToBase64 } from '../encoding/base64.ts';
import { CandidateSetJsonSchema } from '../schemas.ts';
import type { CandidateSetJson } from '../schemas.ts';
import type { Candidate, CandidateSet } from '../types.ts';
import { bytesPerValue, readEmbedding, writeEmbedding } from './embedding.ts';
import type { EmbeddingDtype } from './limits.ts';
import { candidateSetProblem } from './validate.ts';

export function candidateSetToJson(set: CandidateSet, options: { dtype?: EmbeddingDtype } = {}): CandidateSetJson {
  const dtype = options.dtype ?? 'float32';
  const problem = candidateSetProblem(set, set.candidates);
  if (problem) throw new InternalError(`Cannot encode candidate set: ${problem}.`);
  const { imageSha256, width, height, modelId, pipelineId, dim } = set;
  return {
    version: 1,
    imageSha256,
    width,
    height,
    modelId,
    pipelineId,
    dim,
    embeddingDtype: dtype,
    candidates: set.candidates.map((c) => {
      const bytes = new Uint8Array(dim * bytesPerValue(dtype));
      writeEmbedding(c.embedding, dtype, bytes, 0);
      return { iou: c.iou, box256: [...c.box256], embedding: bytesToBase64(bytes), mask: { size: [...c.mask.size], counts: c.mask.counts } };
    }),
  };
}

/** Parses the JSON form (already JSON.parse'd); anything malformed throws WireFormatError. */
export function candidateSetFromJson(json: unknown): CandidateSet {
  const parsed = CandidateSetJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = formatPath('', issue.path);
    throw new WireFormatError(`invalid candidate set JSON: ${field ? `${field}: ` : ''}${issue.message}`, { field: field || undefined });
  }
  const { candidates: raw, embeddingDtype, version: _version, ...header } = parsed.data;
  const candidates: Candidate[] = raw.map((c) => ({
    iou: c.iou,
    box256: c.box256,
    // The schema checked the base64 text and its decoded length.
    embedding: readEmbedding(base64ToBytes(c.embedding), 0, header.dim, embeddingDtype),
    mask: c.mask,
  }));
  const problem = candidateSetProblem(header, candidates);
  if (problem) throw new WireFormatError(`invalid candidate set JSON: ${problem}`);
  return { ...header, candidates };
}
