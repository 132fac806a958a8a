// Memory banks of the edge: tenants' banks over the storage contract, quality feedback, bank
// files, prototypes for matching and negative damping.
export { parseBankFile, toBankFile } from './bank-file.ts';
export type { ImportedReference, ParsedBankFile } from './bank-file.ts';
export { cosineSimilarity } from './cosine.ts';
export { BankBusyError, BankExistsError, ClassExistsError, ReferenceLimitError, UnknownClassError } from './errors.ts';
export { matchingBank } from './matching-bank.ts';
export type { MatchingBank } from './matching-bank.ts';
export { dampScore, dampScores, NEGATIVE_TEMPERATURE, negativeSimilarity } from './negatives.ts';
export type { DampingCandidate } from './negatives.ts';
export { bankQuality, DEFAULT_QUALITY_THRESHOLDS } from './quality.ts';
export type { BankQuality, ClassQuality, NearestClass, QualityBasis, QualityReference, QualityThresholds, ReferenceQuality } from './quality.ts';
export { ReferenceSourceSchema } from './records.ts';
export type { ReferenceSource } from './records.ts';
export { createBankService, CreateBankSchema, MAX_REFERENCES_PER_ADD, MAX_REFERENCES_PER_BANK } from './service.ts';
export type { AddReferencesResult, BankService, BankServiceOptions, CreateBankInput, EmbeddedReference, Embedder, EmbedResult, ReferenceDraft } from './service.ts';
export type { BankSummary, BankView, ClassView, ReferenceView } from './views.ts';
