// Typed fetch client of the public API (browsers, phones, servers); no dependencies.
export { createRefsegClient } from './client.ts';
export type { CallOptions, ImageCallOptions, ImportBankOptions, RefsegClient, RefsegClientOptions, ReferenceImage, UploadImageOptions } from './client.ts';
export { apiErrorOf, RefsegApiError, UNEXPECTED_RESPONSE_SLUG } from './errors.ts';
export type * from './types.ts';
