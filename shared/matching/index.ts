// The official post-model pipeline (method.md §3.4–§3.8): whole (segmentOfficial) or split into
// the bank-agnostic extraction (gpu-node) and the bank-dependent matching (edge).
export { createClassMatcher } from './classify.ts';
export type { ClassMatch, ClassMatcher } from './classify.ts';
export { createMaskPooler } from './embedding.ts';
export type { MaskPooler, PatchFeatures } from './embedding.ts';
export { ShapeMismatchError } from './errors.ts';
export { extractCandidates } from './extract.ts';
export type { CandidateSetIdentity } from './extract.ts';
export { createFullResRenderer } from './fullres-mask.ts';
export type { FullResMask, FullResRenderer } from './fullres-mask.ts';
export { LOW_RES, proposalCount, scanLowResMask } from './low-res-mask.ts';
export type { LowResLogits, LowResMask } from './low-res-mask.ts';
export { matchCandidates, traceMatch } from './match.ts';
export type { Rescore } from './match.ts';
export { segmentOfficial, traceOfficial } from './official.ts';
export type { OfficialInput, OfficialTrace, ProposalTrace } from './official.ts';
export { pipelineOptionsSchema, resolvePipelineOptions } from './options.ts';
export { ZERO_SCORE_LABELS, torchCpuTieIndex, zeroScoreLabelSchema } from './zero-score-label.ts';
export type { ZeroScoreLabel } from './zero-score-label.ts';
export type { PipelineOptions, PipelineOptionsInput } from './options.ts';
export type { ProposalInput } from './proposal-input.ts';
export { rankAndMerge } from './rank-merge.ts';
export type { LabelledCandidate, MatchTrace } from './rank-merge.ts';
export { selectDetections } from './select.ts';
export type { MergeEntry } from './select.ts';
export { decayedScore, semanticIos } from './soft-merge.ts';
export type { MergeInput } from './soft-merge.ts';
