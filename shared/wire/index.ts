export {
  CANDIDATE_SET_FORMAT_VERSION,
  CANDIDATE_SET_MEDIA_TYPE,
  decodeCandidateSet,
  encodeCandidateSet,
  encodedCandidateSetSize,
} from './candidate-set.ts';
export type { EncodeCandidateSetOptions } from './candidate-set.ts';
export { candidateSetFromJson, candidateSetToJson } from './candidate-set-json.ts';
export { EMBEDDING_DTYPES, MAX_CANDIDATES, MAX_EMBEDDING_DIM, MAX_ID_BYTES, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from './limits.ts';
export type { EmbeddingDtype } from './limits.ts';
