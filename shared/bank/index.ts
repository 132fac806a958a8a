// Reference memory bank math (spec/method.md §1.2–§2): crop, soft patch weights, DINOv2 input,
// instance means and class prototypes; bank files, negatives, and matching against a bank. The
// DINOv2 run itself lives in gpu-node.
export { parseBankFile } from './bank-file.ts';
export type { ImportedReference, ParsedBankFile } from './bank-file.ts';
export { bankVectors } from './bank-vectors.ts';
export type { BankReference, BankVectors } from './bank-vectors.ts';
export { cosineSimilarity } from './cosine.ts';
export { cropImage518 } from './crop-image.ts';
export { BankArgumentError } from './errors.ts';
export { checkCropFits, DEFAULT_CONTEXT_RATIO, PATCH_GRID, REFERENCE_SIZE, referenceCrop } from './geometry.ts';
export type { ReferenceCrop } from './geometry.ts';
export { instanceMean } from './instance-mean.ts';
export { matchBank } from './match-bank.ts';
export type { MatchingVectors } from './match-bank.ts';
export { dampScore, dampScores, NEGATIVE_TEMPERATURE, negativeSimilarity } from './negatives.ts';
export type { DampingCandidate } from './negatives.ts';
export { imagenetNormalize } from './normalize.ts';
export { prototypes } from './prototypes.ts';
export type { Prototypes } from './prototypes.ts';
export { prepareReference } from './reference.ts';
export type { PreparedReference } from './reference.ts';
export { cropMask, softWeights37 } from './soft-weights.ts';
export type { SoftWeights } from './soft-weights.ts';
export { unusableVector, vectorToBase64 } from './vectors.ts';
