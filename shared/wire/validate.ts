// The rules a candidate set must satisfy, in one place for the encoder and both decoders.
// Each returns a sentence saying what is wrong, or null; callers choose the error class.
import type { Candidate, CandidateSet } from '../types.ts';
import { RLE_COUNTS_PATTERN, rleProblem, SHA256_HEX_PATTERN } from '../schemas.ts';
import { MAX_CANDIDATES, MAX_EMBEDDING_DIM, MAX_ID_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from './limits.ts';

export type CandidateSetHeader = Omit<CandidateSet, 'candidates'>;

const utf8 = new TextEncoder();

const isIntIn = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

function idProblem(name: string, id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0) return `${name} must be a non-empty string`;
  const bytes = utf8.encode(id).length;
  return bytes > MAX_ID_BYTES ? `${name} is ${bytes} UTF-8 bytes; at most ${MAX_ID_BYTES} are allowed` : null;
}

export function headerProblem(h: CandidateSetHeader, count: number): string | null {
  if (typeof h.imageSha256 !== 'string' || !SHA256_HEX_PATTERN.test(h.imageSha256)) return 'imageSha256 must be 64 lower-case hex digits';
  if (!isIntIn(h.width, 1, MAX_IMAGE_SIDE) || !isIntIn(h.height, 1, MAX_IMAGE_SIDE)) {
    return `image size ${h.width}×${h.height} is outside 1..${MAX_IMAGE_SIDE}`;
  }
  if (h.width * h.height > MAX_IMAGE_PIXELS) return `image size ${h.width}×${h.height} has more than ${MAX_IMAGE_PIXELS} pixels`;
  const idBad = idProblem('modelId', h.modelId) ?? idProblem('pipelineId', h.pipelineId);
  if (idBad) return idBad;
  if (!isIntIn(h.dim, 1, MAX_EMBEDDING_DIM)) return `embedding dim ${h.dim} is outside 1..${MAX_EMBEDDING_DIM}`;
  if (!isIntIn(count, 0, MAX_CANDIDATES)) return `${count} candidates; at most ${MAX_CANDIDATES} are allowed`;
  return null;
}

export function candidateProblem(c: Candidate, h: CandidateSetHeader): string | null {
  if (typeof c.iou !== 'number' || !Number.isFinite(c.iou)) return `iou ${c.iou} is not a finite number`;
  const b = c.box256;
  if (!Array.isArray(b) || b.length !== 4 || !b.every((v) => isIntIn(v, 0, 255)) || b[2] < b[0] || b[3] < b[1]) {
    return `box256 ${JSON.stringify(b)} is not an inclusive box on the 256 grid`;
  }
  const e = c.embedding;
  if (!(e instanceof Float32Array) || e.length !== h.dim) return `embedding must be a Float32Array of length ${h.dim}`;
  for (let i = 0; i < e.length; i++) if (!Number.isFinite(e[i])) return `embedding value ${i} is ${e[i]}`;
  const m = c.mask;
  if (!m || !Array.isArray(m.size) || m.size[0] !== h.height || m.size[1] !== h.width) {
    return `mask size ${JSON.stringify(m?.size)} differs from the image size [${h.height}, ${h.width}]`;
  }
  if (typeof m.counts !== 'string' || !RLE_COUNTS_PATTERN.test(m.counts)) return 'mask counts is not a COCO compressed counts string';
  return rleProblem(m);
}

/** The first rule `header` + `candidates` break, naming the candidate, or null. */
export function candidateSetProblem(header: CandidateSetHeader, candidates: readonly Candidate[]): string | null {
  const bad = headerProblem(header, candidates.length);
  if (bad) return bad;
  for (let i = 0; i < candidates.length; i++) {
    const problem = candidateProblem(candidates[i], header);
    if (problem) return `candidate ${i}: ${problem}`;
  }
  return null;
}
