// Memory banks of the edge: tenants' banks over the storage contract, quality feedback, bank
// files, prototypes and negatives for matching.
export { toBankFile } from './bank-file.ts';
export { BankBusyError, BankExistsError, ClassExistsError, ReferenceLimitError, UnknownClassError } from './errors.ts';
export { matchingBank } from './matching-bank.ts';
export type { MatchingBank } from './matching-bank.ts';
export { bankQuality, DEFAULT_QUALITY_THRESHOLDS } from './quality.ts';
export type { BankQuality, ClassQuality, NearestClass, QualityBasis, QualityReference, QualityThresholds, ReferenceQuality } from './quality.ts';
export { createBankService, MAX_REFERENCES_PER_ADD, MAX_REFERENCES_PER_BANK } from './service.ts';
export type { AddReferencesResult, BankService, BankServiceOptions, EmbeddedReference, Embedder, EmbedResult, ReferenceDraft } from './service.ts';
