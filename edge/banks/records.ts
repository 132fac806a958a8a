// What a bank looks like in storage. Two kinds of records:
//   banks/<tenant>/<bankId>                      the bank record: metadata and the manifest (the
//                                                list of its references, in insertion order)
//   refs/<tenant>/<bankId>/<uid>/<referenceId>   one reference body: source, mask, vector
// The manifest is the single source of truth: a body is written first (invisible), and becomes
// part of the bank only when a commit that checks the bank record's version adds it to the
// manifest. So every bank change is one compare-and-set of one key, whatever the number of
// references, on every backend; bodies are immutable once referenced. `uid` changes when a bank
// id is deleted and created again, so the old bank's late cleanup never touches the new bank's
// bodies. The tenant is the first segment of every key: tenants cannot reach each other's keys.
import { z } from 'zod';
import { ReferenceSourceSchema } from '../../shared/api/edge.ts';
import { BankSchema, ClassNameSchema, MaskSizeSchema, ReferenceIdSchema } from '../../shared/schemas.ts';
import { MAX_EMBEDDING_DIM } from '../../shared/wire/limits.ts';

const ManifestEntrySchema = z.strictObject({
  id: ReferenceIdSchema,
  className: ClassNameSchema,
  negative: z.boolean(),
});
export type ManifestEntry = z.infer<typeof ManifestEntrySchema>;

export const BankRecordSchema = BankSchema.extend({
  dim: z.number().int().min(1).max(MAX_EMBEDDING_DIM).nullable(),
  uid: z.string().regex(/^[0-9a-f]{32}$/),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  references: z.array(ManifestEntrySchema),
});
export type BankRecord = z.infer<typeof BankRecordSchema>;

// Masks were validated when they arrived; on read only their shape is checked (decoding every
// counts string of a bank on each read would be wasted work).
const StoredRleSchema = z.strictObject({ size: MaskSizeSchema, counts: z.string() });

export const ReferenceBodySchema = z.strictObject({
  id: ReferenceIdSchema,
  createdAt: z.iso.datetime(),
  source: ReferenceSourceSchema,
  /** Un-normalised instance mean, little-endian float32, base64. */
  vector: z.string(),
  mask: StoredRleSchema.optional(),
});
export type ReferenceBody = z.infer<typeof ReferenceBodySchema>;

export const bankKey = (tenant: string, bankId: string) => `banks/${tenant}/${bankId}`;
export const bankPrefix = (tenant: string) => `banks/${tenant}/`;
export const bodyPrefix = (tenant: string, bankId: string, uid: string) => `refs/${tenant}/${bankId}/${uid}/`;
export const bodyKey = (tenant: string, bankId: string, uid: string, referenceId: string) => bodyPrefix(tenant, bankId, uid) + referenceId;
