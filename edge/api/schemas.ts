// zod schemas of the public API that are not already in shared/ or the bank and auth modules:
// request shapes the routes validate, and response shapes the OpenAPI document describes.
// Response schemas mirror TypeScript interfaces of edge/banks and edge/auth; schemas.test.ts
// checks at compile time that the two agree, so neither can drift alone.
import { z } from 'zod';
import { ExifModeSchema, OrientationSchema } from '../../shared/api/gpu-node.ts';
import {
  BankIdSchema,
  BankSchema,
  BoxXyxySchema,
  ClassNameSchema,
  CocoBoxSchema,
  MaskSizeSchema,
  ModelIdSchema,
  PipelineIdSchema,
  ProposalPresetSchema,
  ReferenceAnnotationSchema,
  ReferenceIdSchema,
  RleSchema,
  SegmentOptionsSchema,
  SHA256_HEX_PATTERN,
} from '../../shared/schemas.ts';
import { ApiKeyInfoSchema } from '../auth/index.ts';
import { ReferenceSourceSchema } from '../banks/index.ts';

// ---- common --------------------------------------------------------------------------------

export const ImageIdSchema = z.string().regex(SHA256_HEX_PATTERN).describe('Image id: the lower-case hex SHA-256 of the image bytes.');

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

const nullableNumber = z.number().nullable();
const NearestClassSchema = z.strictObject({ className: ClassNameSchema, cosine: z.number() });

export const ReferenceQualitySchema = z
  .strictObject({
    basis: z
      .enum(['leave-one-out', 'single-shot', 'class-prototype', 'no-positives'])
      .describe('What classCosine compares with: the class without this reference, nothing (only positive), or the class prototype (negatives).'),
    classCosine: nullableNumber.describe('Cosine with the class (see basis); null when there is nothing to compare with.'),
    nearestOtherClass: NearestClassSchema.nullable().describe('Closest other class by prototype.'),
    margin: nullableNumber.describe('classCosine − nearestOtherClass.cosine.'),
    outlier: z.boolean().describe('Looks unlike the rest of its class (wrong object, bad mask?).'),
    confusable: z.boolean().describe('About as close to another class as to its own.'),
  })
  .describe('How well a reference agrees with its class, from its vector alone.');

export const ClassQualitySchema = z
  .strictObject({
    meanLeaveOneOutCosine: nullableNumber.describe('Mean agreement of the class\'s positives; null with fewer than two.'),
    outliers: z.array(ReferenceIdSchema),
    confusable: z.array(ReferenceIdSchema),
    nearestClass: NearestClassSchema.nullable().describe('Other class whose prototype is closest.'),
  })
  .describe('Quality summary of one class.');

const bankSummaryShape = {
  id: BankIdSchema,
  name: BankSchema.shape.name,
  modelId: ModelIdSchema,
  pipelineId: PipelineIdSchema,
  referenceCount: z.number().int().min(0),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  revision: z.string().describe('Changes with every change of the bank.'),
};

export const BankSummarySchema = z.strictObject({ ...bankSummaryShape, classes: z.array(ClassNameSchema) }).describe('A bank in a listing.');
export const BankListSchema = z.strictObject({ banks: z.array(BankSummarySchema) });

export const ClassViewSchema = z
  .strictObject({
    name: ClassNameSchema,
    label: z.number().int().min(0).describe('The class\'s index in detections.'),
    positives: z.number().int().min(0),
    negatives: z.number().int().min(0),
    quality: ClassQualitySchema,
  })
  .describe('One class of a bank.');

export const BankViewSchema = z
  .strictObject({ ...bankSummaryShape, dim: z.number().int().nullable().describe('Embedding dimension; null before the first reference.'), classes: z.array(ClassViewSchema) })
  .describe('A memory bank with per-class reference counts and quality.');

export const ReferenceViewSchema = z
  .strictObject({
    id: ReferenceIdSchema,
    className: ClassNameSchema,
    negative: z.boolean(),
    createdAt: z.iso.datetime(),
    source: ReferenceSourceSchema,
    mask: RleSchema.optional().describe('The mask the reference\'s feature was computed from (for a box: SAM2\'s).'),
    quality: ReferenceQualitySchema,
  })
  .describe('One reference instance with its quality feedback.');

export const ReferenceListSchema = z.strictObject({ references: z.array(ReferenceViewSchema) });
export const AddReferencesResponseSchema = z
  .strictObject({
    bank: BankViewSchema,
    references: z.array(ReferenceViewSchema).describe('The references just added, in request order.'),
  })
  .describe('The updated bank and the new references with their quality.');

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

export const ImageResponseSchema = z
  .strictObject({
    imageId: ImageIdSchema,
    width: z.number().int().min(1).describe('Width of the pixel grid masks refer to.'),
    height: z.number().int().min(1),
    orientation: OrientationSchema,
    modelId: ModelIdSchema,
    pipelineId: PipelineIdSchema,
    candidates: z.number().int().min(0).describe('Proposals cached for the image.'),
    cache: z.enum(['hit', 'miss']).describe('Whether the candidate set was already cached.'),
    expiresInSeconds: z.number().int().min(1).describe('How long the imageId can be used.'),
  })
  .describe('An uploaded image, ready for segment requests by imageId.');

export const SegmentJsonBodySchema = z
  .strictObject({
    imageId: ImageIdSchema.describe('Id returned by POST /v1/images.'),
    options: SegmentOptionsSchema.optional(),
  })
  .describe('Segment an image uploaded before.');

export const MaskOutputSchema = z
  .union([
    RleSchema,
    z.strictObject({ size: MaskSizeSchema, polygons: z.array(z.array(z.number())).describe('COCO polygons [x0, y0, x1, y1, ...]; the mask is their union.') }),
    z.strictObject({ size: MaskSizeSchema, png: z.base64().describe('1-bit greyscale PNG (white = mask), base64.') }),
  ])
  .describe('The mask in the requested format: COCO RLE (`counts`), polygons or PNG.');

export const SegmentDetectionSchema = z
  .strictObject({
    class: ClassNameSchema,
    label: z.number().int().min(0).describe('Index of the class in the bank.'),
    score: z.number().describe('Cosine similarity to the class prototype after negative damping and soft merging.'),
    box: BoxXyxySchema,
    bbox: CocoBoxSchema,
    area: z.number().int().min(0),
    mask: MaskOutputSchema,
    index: z.number().int().min(0).describe('Index of the proposal in the image\'s candidate set.'),
  })
  .describe('One detected instance.');

export const SemanticMaskSchema = z
  .strictObject({
    class: ClassNameSchema,
    label: z.number().int().min(0),
    instances: z.number().int().min(1).describe('Detections merged into this mask.'),
    area: z.number().int().min(0),
    mask: MaskOutputSchema,
  })
  .describe('The union of one class\'s detections.');

export const SegmentResponseSchema = z
  .strictObject({
    imageId: ImageIdSchema,
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    orientation: OrientationSchema,
    bankId: BankIdSchema,
    bankRevision: z.string(),
    modelId: ModelIdSchema,
    pipelineId: PipelineIdSchema,
    cache: z.enum(['hit', 'miss']).describe('`hit`: no gpu-node work was needed.'),
    classes: z.array(ClassNameSchema).describe('The bank\'s classes in label order.'),
    classesWithoutReferences: z.array(ClassNameSchema).describe('Classes asked for that have no positive reference (they cannot be found).'),
    detections: z.array(SegmentDetectionSchema).describe('Best first.'),
    semantic: z.array(SemanticMaskSchema).optional().describe('With `semantic: true`: one merged mask per class found.'),
  })
  .describe('Instances of the bank\'s classes found in the image.');

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
  modelId: ModelIdSchema.nullable(),
  lastError: z.string().nullable(),
});

export const ReadinessSchema = z
  .strictObject({
    status: z.literal('ready'),
    storage: z.string().describe('Storage driver.'),
    storageOk: z.literal(true),
    gpuNodes: z.array(GpuNodeStatusSchema),
  })
  .describe('Ready: storage answers and at least one gpu-node is healthy (otherwise a 503 problem with the same members).');
