// zod schemas of the public API: request shapes the routes validate, and response shapes the
// OpenAPI document describes. What clients also need (bank, reference, image and segment answers)
// lives in shared/api/edge.ts and is re-exported here; the rest is the edge's own.
import { z } from 'zod';
import { ImageIdSchema } from '../../shared/api/edge.ts';
import { ExifModeSchema } from '../../shared/api/gpu-node.ts';
import {
  BankIdSchema,
  BankSchema,
  ClassNameSchema,
  ModelIdSchema,
  ProposalPresetSchema,
  ReferenceAnnotationSchema,
  ReferenceIdSchema,
  SegmentOptionsSchema,
} from '../../shared/schemas.ts';
import { ApiKeyInfoSchema } from '../auth/index.ts';

export {
  AddReferencesResponseSchema,
  BankListSchema,
  BankViewSchema,
  ClassQualitySchema,
  CreateBankSchema,
  ImageIdSchema,
  ImageResponseSchema,
  MaskPreviewResponseSchema,
  ReferenceListSchema,
  ReferenceQualitySchema,
  ReferenceViewSchema,
  SegmentResponseSchema,
  ServiceInfoSchema,
} from '../../shared/api/edge.ts';

// ---- common --------------------------------------------------------------------------------

export const ProblemSchema = z
  .object({
    type: z.string().describe('Stable URI of the kind of problem; switch on this.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What is wrong, for people.'),
    requestId: z.string().describe('Echo of X-Request-Id; quote it when reporting a problem.'),
    field: z.string().optional().describe('The request field the problem is about (`annotations[0].mask.counts`).'),
  })
  .catchall(z.unknown())
  .describe('RFC 9457 problem details (application/problem+json).');

export const ExifQuerySchema = z
  .strictObject({ exif: ExifModeSchema.default('apply') })
  .describe('How the image\'s EXIF orientation is treated.');

// ---- keys ----------------------------------------------------------------------------------

export const CreatedApiKeySchema = z
  .strictObject({
    key: ApiKeyInfoSchema,
    secret: z.string().describe('The API key itself. Shown once: only its hash is stored.'),
  })
  .describe('A new API key.');

export const ApiKeyListSchema = z.strictObject({ keys: z.array(ApiKeyInfoSchema) });
export const KeyListQuerySchema = z.strictObject({ tenant: z.string().describe('Tenant whose keys to list.') });
export const KeyIdParamsSchema = z.strictObject({ keyId: z.string().describe('Key id (`key_…`).') });

// ---- banks ---------------------------------------------------------------------------------

export const BankParamsSchema = z.strictObject({ bankId: BankIdSchema });
export const ClassParamsSchema = z.strictObject({ bankId: BankIdSchema, className: ClassNameSchema });
export const ReferenceParamsSchema = z.strictObject({ bankId: BankIdSchema, referenceId: ReferenceIdSchema });

export const AddClassesSchema = z
  .strictObject({ classes: BankSchema.shape.classes.min(1).describe('Class names to append (they get the next labels).') })
  .describe('Classes to add to a bank.');

export const ImportQuerySchema = z
  .strictObject({
    id: BankIdSchema.optional().describe('Id of the new bank (default: generated).'),
    name: BankSchema.shape.name.optional().describe('Name of the new bank (default: the file\'s).'),
  })
  .describe('Where to import a bank file.');

export const AnnotationListSchema = z
  .array(ReferenceAnnotationSchema)
  .min(1)
  .describe('The `annotations` part: a JSON array of instances on the image sent beside it.');

// ---- images and segment ----------------------------------------------------------------------

export const UploadQuerySchema = z
  .strictObject({
    exif: ExifModeSchema.default('apply'),
    preset: ProposalPresetSchema.default('official').describe('Proposal preset to compute (and cache) candidates for.'),
  })
  .describe('Query of POST /v1/images.');

export const SegmentJsonBodySchema = z
  .strictObject({
    imageId: ImageIdSchema.describe('Id returned by POST /v1/images.'),
    options: SegmentOptionsSchema.optional(),
  })
  .describe('Segment an image uploaded before.');

export const SegmentQuerySchema = z
  .strictObject({
    exif: ExifModeSchema.default('apply'),
    options: z.string().optional().describe('Segment options as JSON (raw image bodies only; see SegmentOptions).'),
  })
  .describe('Query of POST /v1/banks/{bankId}/segment.');

// ---- health ----------------------------------------------------------------------------------

export const HealthSchema = z.strictObject({ status: z.literal('ok') });

export const GpuNodeStatusSchema = z.strictObject({
  url: z.string(),
  healthy: z.boolean(),
  inFlight: z.number().int(),
  failures: z.number().int().describe('Failed calls since the edge started.'),
  modelId: ModelIdSchema.nullable(),
  lastError: z.string().nullable(),
});

export const ReadinessSchema = z
  .strictObject({
    status: z.literal('ready'),
    storage: z.string().describe('Storage driver.'),
    storageOk: z.literal(true),
    gpuNodes: z.strictObject({ healthy: z.number().int(), total: z.number().int() }).describe('How many gpu-nodes are healthy (details: GET /v1/admin/status).'),
  })
  .describe('Ready: storage answers and at least one gpu-node is healthy (otherwise a 503 problem with the same members).');

export const AdminStatusSchema = z
  .strictObject({
    storage: z.string().describe('Storage driver.'),
    storageOk: z.boolean(),
    gpuNodes: z.array(GpuNodeStatusSchema),
  })
  .describe('Operator view of the edge: storage and each gpu-node.');
