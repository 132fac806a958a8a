// Shapes of the edge's public API that clients also need: what bank, reference, image and segment
// calls answer, and the body of a new bank. The edge validates and documents with these schemas
// (edge/api/schemas.ts re-exports them beside its own request shapes); shared/client takes the
// types below with `import type`, so a browser bundle gets the types and none of zod.
import { z } from 'zod';
import { MAX_PROMPT_POINTS, OrientationSchema } from './gpu-node.ts';
import {
  BankIdSchema,
  BankSchema,
  BoxXyxySchema,
  ClassNameSchema,
  CocoBoxSchema,
  MaskSizeSchema,
  ModelIdSchema,
  PipelineIdSchema,
  ReferenceIdSchema,
  RleSchema,
  SHA256_HEX_PATTERN,
} from '../schemas.ts';

export const ImageIdSchema = z.string().regex(SHA256_HEX_PATTERN).describe('Image id: the lower-case hex SHA-256 of the image bytes.');

// ---- banks ---------------------------------------------------------------------------------

export const CreateBankSchema = z
  .strictObject({
    id: BankIdSchema.optional().describe('Bank id; generated when absent.'),
    name: BankSchema.shape.name,
    classes: BankSchema.shape.classes,
  })
  .describe('A new, empty memory bank.');
export type CreateBankInput = z.input<typeof CreateBankSchema>;

export const ReferenceSourceSchema = z
  .strictObject({
    annotation: z.enum(['mask', 'polygons', 'box', 'imported']).describe('How the reference was given; `imported` came from a bank file.'),
    imageSha256: z.string().regex(SHA256_HEX_PATTERN).optional().describe('SHA-256 of the reference image bytes.'),
  })
  .describe('Where a reference came from.');
export type ReferenceSource = z.infer<typeof ReferenceSourceSchema>;

const nullableNumber = z.number().nullable();
const NearestClassSchema = z.strictObject({ className: ClassNameSchema, cosine: z.number() });
export type NearestClass = z.output<typeof NearestClassSchema>;

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
export type ReferenceQuality = z.output<typeof ReferenceQualitySchema>;

export const ClassQualitySchema = z
  .strictObject({
    meanLeaveOneOutCosine: nullableNumber.describe('Mean agreement of the class\'s positives; null with fewer than two.'),
    outliers: z.array(ReferenceIdSchema),
    confusable: z.array(ReferenceIdSchema),
    nearestClass: NearestClassSchema.nullable().describe('Other class whose prototype is closest.'),
  })
  .describe('Quality summary of one class.');
export type ClassQuality = z.output<typeof ClassQualitySchema>;

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
export type BankSummary = z.output<typeof BankSummarySchema>;
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
export type ClassView = z.output<typeof ClassViewSchema>;

export const BankViewSchema = z
  .strictObject({ ...bankSummaryShape, dim: z.number().int().nullable().describe('Embedding dimension; null before the first reference.'), classes: z.array(ClassViewSchema) })
  .describe('A memory bank with per-class reference counts and quality.');
export type BankView = z.output<typeof BankViewSchema>;

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
export type ReferenceView = z.output<typeof ReferenceViewSchema>;

export const ReferenceListSchema = z.strictObject({ references: z.array(ReferenceViewSchema) });
export const AddReferencesResponseSchema = z
  .strictObject({
    bank: BankViewSchema,
    references: z.array(ReferenceViewSchema).describe('The references just added, in request order.'),
  })
  .describe('The updated bank and the new references with their quality.');
export type AddReferencesResponse = z.output<typeof AddReferencesResponseSchema>;

// ---- images and segment ----------------------------------------------------------------------

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
export type ImageResponse = z.output<typeof ImageResponseSchema>;

export const MaskOutputSchema = z
  .union([
    RleSchema,
    z.strictObject({ size: MaskSizeSchema, polygons: z.array(z.array(z.number())).describe('COCO polygons [x0, y0, x1, y1, ...]; the mask is their union.') }),
    z.strictObject({ size: MaskSizeSchema, png: z.base64().describe('1-bit greyscale PNG (white = mask), base64.') }),
  ])
  .describe('The mask in the requested format: COCO RLE (`counts`), polygons or PNG.');
export type MaskOutput = z.output<typeof MaskOutputSchema>;

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
export type SegmentDetection = z.output<typeof SegmentDetectionSchema>;

export const SemanticMaskSchema = z
  .strictObject({
    class: ClassNameSchema,
    label: z.number().int().min(0),
    instances: z.number().int().min(1).describe('Detections merged into this mask.'),
    area: z.number().int().min(0),
    mask: MaskOutputSchema,
  })
  .describe('The union of one class\'s detections.');
export type SemanticMask = z.output<typeof SemanticMaskSchema>;

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
export type SegmentResponse = z.output<typeof SegmentResponseSchema>;

// ---- mask preview and service info -------------------------------------------------------------

export const MaskPreviewResponseSchema = z
  .strictObject({
    mask: RleSchema.describe('SAM2\'s best of its three masks for the prompt (by predicted IoU), COCO RLE at the image size [h, w].'),
    score: z.number().describe('SAM2\'s predicted IoU of the mask (how sure it is of the outline).'),
    bbox: CocoBoxSchema.describe('Extent of the mask.'),
    orientation: z
      .enum(['exif-applied', 'exif-ignored'])
      .describe('The pixel grid the mask refers to: the image as displayed (EXIF orientation applied, the default) or as stored (`exif=ignore`).'),
  })
  .describe('The mask SAM2 makes of a box or of clicks, before it is kept as a reference.');
export type MaskPreviewResponse = z.output<typeof MaskPreviewResponseSchema>;

export const ServiceInfoSchema = z
  .strictObject({
    modelId: ModelIdSchema.describe('Model of the gpu-nodes; banks are tied to it.'),
    standin: z.boolean().describe('`true`: the gpu-nodes run the project\'s generated stand-in models, whose results mean nothing on real photos.'),
    limits: z
      .strictObject({
        maxBodyBytes: z.number().int().min(1).describe('Largest request body.'),
        maxPixels: z.number().int().min(1).describe('Largest image, in pixels.'),
        maxPromptPoints: z.literal(MAX_PROMPT_POINTS).describe('Most points in one mask-preview prompt.'),
      })
      .describe('What a client should check before uploading.'),
  })
  .describe('What this refseg answers with.');
export type ServiceInfo = z.output<typeof ServiceInfoSchema>;
