// Contract of the gpu-node's internal HTTP API: the edge imports these schemas to call a node and
// to check what comes back; the node validates its requests with the same objects.
//
//   POST /v1/candidates         image → candidate set (binary wire format, or JSON)
//   POST /v1/reference-vectors  image + annotations → one unnormalised instance vector each
//   POST /v1/segment            image + prototypes → detections (the whole pipeline on the node)
//   POST /v1/mask-preview       image + prompt (box or points) → SAM2's best mask for it
//   GET  /v1/info · /healthz · /readyz · /metrics
//
// Every /v1 route and /metrics need `Authorization: Bearer <shared secret>`; errors are
// problem+json (shared/errors.ts). Images travel as the raw request body or as the multipart
// part `image`.
import { z } from 'zod';
import { pipelineOptionsSchema } from '../matching/options.ts';
import {
  ClassNameSchema,
  CocoBoxSchema,
  DetectionSchema,
  MAX_CLASSES,
  ModelIdSchema,
  PipelineIdSchema,
  PolygonsSchema,
  ProposalPresetSchema,
  RleSchema,
  SHA256_HEX_PATTERN,
  UncompressedRleSchema,
} from '../schemas.ts';

export const GPU_NODE_PATHS = {
  candidates: '/v1/candidates',
  referenceVectors: '/v1/reference-vectors',
  segment: '/v1/segment',
  maskPreview: '/v1/mask-preview',
  info: '/v1/info',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
} as const;

/** Multipart part names. */
export const IMAGE_PART = 'image';
export const ANNOTATIONS_PART = 'annotations';
export const REQUEST_PART = 'request';
export const PROMPT_PART = 'prompt';

/** Which pixel grid the masks of a response refer to (also sent as a header by /v1/candidates). */
export const ORIENTATION_HEADER = 'X-Refseg-Orientation';
export const REQUEST_ID_HEADER = 'X-Request-Id';
/**
 * Milliseconds the caller will wait for the answer, counted from when the node receives the
 * request (a duration, so the two clocks need not agree). Work that cannot start before then is
 * never started: the node answers 503 instead.
 */
export const TIMEOUT_HEADER = 'X-Refseg-Timeout-Ms';

export const ExifModeSchema = z
  .enum(['apply', 'ignore'])
  .describe('`apply` (default) rotates by the EXIF Orientation tag, as phones expect; `ignore` keeps the stored pixel grid (COCO annotations refer to it).');
export type ExifMode = z.infer<typeof ExifModeSchema>;

export const OrientationSchema = z
  .enum(['applied', 'ignored'])
  .describe('Whether the EXIF orientation was applied to the pixel grid that masks and boxes refer to.');
export type Orientation = z.infer<typeof OrientationSchema>;

const ImageQuery = {
  exif: ExifModeSchema.default('apply'),
};

export const CandidatesQuerySchema = z
  .strictObject({
    ...ImageQuery,
    preset: ProposalPresetSchema.default('official'),
    format: z.enum(['binary', 'json']).default('binary').describe('`binary`: the wire format (default); `json`: its JSON form.'),
  })
  .describe('Query of POST /v1/candidates.');
export type CandidatesQuery = z.output<typeof CandidatesQuerySchema>;

export const ImageQuerySchema = z.strictObject(ImageQuery).describe('Query of the routes that take one image.');

// ---- reference vectors -----------------------------------------------------------------------

export const GpuReferenceAnnotationSchema = z
  .strictObject({
    class: ClassNameSchema,
    mask: z.union([RleSchema, UncompressedRleSchema]).optional().describe('Instance mask at the (oriented) image size.'),
    polygons: PolygonsSchema.optional(),
    box: CocoBoxSchema.optional().describe('Box only: SAM2 turns it into a mask (best of its multimask outputs by predicted IoU).'),
    bbox: CocoBoxSchema.optional().describe(
      'Box the context crop is built around, for a mask or polygons (e.g. the COCO annotation bbox); default: the mask\'s own extent.',
    ),
  })
  .refine((a) => [a.mask, a.polygons, a.box].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of mask, polygons or box',
  })
  .refine((a) => a.box === undefined || a.bbox === undefined, { message: 'bbox is only for mask or polygon references', path: ['bbox'] })
  .describe('One annotated instance on the reference image.');
export type GpuReferenceAnnotation = z.infer<typeof GpuReferenceAnnotationSchema>;

/** Annotations per request: each costs a DINOv2 run (and a SAM2 decode for boxes). */
export const MAX_ANNOTATIONS_PER_IMAGE = 64;

export const ReferenceAnnotationsSchema = z
  .array(GpuReferenceAnnotationSchema)
  .min(1)
  .max(MAX_ANNOTATIONS_PER_IMAGE)
  .describe('The `annotations` part: instances on the uploaded image.');

export const MaskSourceSchema = z.enum(['given', 'sam2-box']).describe('`given`: the mask or polygons sent; `sam2-box`: SAM2\'s mask for the box.');

export const ReferenceVectorSchema = z
  .strictObject({
    class: ClassNameSchema,
    vector: z.base64().describe('Unnormalised instance mean: dim little-endian float32 values, base64.'),
    mask: RleSchema.describe('The mask the vector was pooled under (for sam2-box: SAM2\'s).'),
    maskSource: MaskSourceSchema,
    predictedIou: z.number().optional().describe('SAM2\'s predicted IoU of the chosen mask (sam2-box only).'),
  })
  .describe('The feature of one reference instance.');

export const ReferenceVectorsResponseSchema = z
  .strictObject({
    modelId: ModelIdSchema,
    dim: z.number().int().min(1),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    orientation: OrientationSchema,
    references: z.array(ReferenceVectorSchema).describe('One per annotation, in request order.'),
  })
  .describe('Response of POST /v1/reference-vectors.');
export type ReferenceVectorsResponse = z.infer<typeof ReferenceVectorsResponseSchema>;

// ---- segment -----------------------------------------------------------------------------------

export const GpuSegmentRequestSchema = z
  .strictObject({
    classes: z
      .array(ClassNameSchema)
      .min(1)
      .max(MAX_CLASSES)
      .refine((names) => new Set(names).size === names.length, 'class names must be unique')
      .describe('Class names in label order.'),
    prototypes: z.base64().describe('C×D little-endian float32 values, row-major (class c at c·D), base64; normalised or not.'),
    preset: ProposalPresetSchema.default('official'),
    options: pipelineOptionsSchema.optional().describe('Matching options; `classes` there are indices into `classes`.'),
  })
  .describe('The `request` part of POST /v1/segment.');
export type GpuSegmentRequest = z.output<typeof GpuSegmentRequestSchema>;
export type GpuSegmentRequestInput = z.input<typeof GpuSegmentRequestSchema>;

export const NamedDetectionSchema = DetectionSchema.extend({ class: ClassNameSchema }).describe('One detected instance with its class name.');

export const GpuSegmentResponseSchema = z
  .strictObject({
    modelId: ModelIdSchema,
    pipelineId: PipelineIdSchema,
    imageSha256: z.string().regex(SHA256_HEX_PATTERN),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    orientation: OrientationSchema,
    classes: z.array(ClassNameSchema),
    detections: z.array(NamedDetectionSchema).describe('Best first.'),
  })
  .describe('Response of POST /v1/segment.');
export type GpuSegmentResponse = z.infer<typeof GpuSegmentResponseSchema>;

// ---- mask preview ------------------------------------------------------------------------------

/** Points of one preview prompt: each is a label in SAM2's prompt, and a person clicks a few. */
export const MAX_PROMPT_POINTS = 32;

const promptCoordinate = z.number().min(0);

export const PromptPointSchema = z
  .tuple([
    promptCoordinate.describe('x'),
    promptCoordinate.describe('y'),
    z.union([z.literal(1), z.literal(0)]).describe('1: on the object; 0: not on it'),
  ])
  .describe('[x, y, label] in pixels of the image as displayed.');

export type PromptPoint = z.infer<typeof PromptPointSchema>;
/** A box, or points; exactly one. */
export type MaskPrompt = { box: [number, number, number, number] } | { points: PromptPoint[] };

// One object with both members optional (rather than a union) so a wrong member is reported by
// its own path (`prompt.box: width and height must be positive`), not as "no union branch fits".
export const MaskPromptSchema = z
  .strictObject({
    box: CocoBoxSchema.refine(([, , w, h]) => w > 0 && h > 0, 'width and height must be positive')
      .optional()
      .describe('COCO [x, y, width, height] around the object.'),
    points: z
      .array(PromptPointSchema)
      .min(1)
      .max(MAX_PROMPT_POINTS)
      .refine((points) => points.some((p) => p[2] === 1), 'at least one point must be on the object (label 1)')
      .optional()
      .describe(`1 to ${MAX_PROMPT_POINTS} clicks; at least one positive.`),
  })
  .refine((p) => (p.box === undefined) !== (p.points === undefined), 'give exactly one of box or points')
  .transform((p): MaskPrompt => (p.box !== undefined ? { box: p.box } : { points: p.points! }))
  .describe('What SAM2 is asked to segment: a box, or points on (1) and off (0) the object. Coordinates must lie inside the image.');


export const GpuMaskPreviewResponseSchema = z
  .strictObject({
    modelId: ModelIdSchema,
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    orientation: OrientationSchema,
    mask: RleSchema.describe('SAM2\'s best multimask output (by predicted IoU) at the image size.'),
    score: z.number().describe('SAM2\'s predicted IoU of that mask.'),
    bbox: CocoBoxSchema.describe('Extent of the mask.'),
  })
  .describe('Response of POST /v1/mask-preview.');
export type GpuMaskPreviewResponse = z.infer<typeof GpuMaskPreviewResponseSchema>;

// ---- info --------------------------------------------------------------------------------------

export const GpuNodeInfoSchema = z
  .strictObject({
    modelId: ModelIdSchema,
    dim: z.number().int().min(1).describe('DINOv2 hidden size D of every vector and embedding.'),
    registers: z.number().int().min(0),
    presets: z.array(ProposalPresetSchema),
    defaultPreset: ProposalPresetSchema,
    // Partial: a node of an older release does not know later presets and still serves the others.
    pipelineIds: z.partialRecord(ProposalPresetSchema, PipelineIdSchema).describe('Pipeline id of the candidate sets each preset makes.'),
    layout: z.enum(['onnx-community', 'samexporter']).describe('SAM2 export layout.'),
    sam2Variant: z
      .string()
      .max(64)
      .optional()
      .describe('SAM2 weights variant the node loaded: fp32, fp16, int8, uint8, quantized, q4, q4f16 or bnb4 (the file-name suffix of hub exports).'),
    noMemEmbed: z.enum(['kept', 'removed']),
    maskClip: z
      .enum(['removed', 'kept', 'none'])
      .optional()
      .describe("The decoder's clamp of the mask logits: removed (default), kept, or none in the graph."),
    provider: z.enum(['cpu', 'cuda', 'webgpu']),
    standin: z.boolean().default(false).describe('The node runs the project\'s generated stand-in models: its results mean nothing on real photos.'),
    workers: z.number().int().min(1),
    limits: z.strictObject({
      maxBodyBytes: z.number().int().min(1),
      maxPixels: z.number().int().min(1),
      maxConcurrent: z.number().int().min(1),
      maxQueued: z.number().int().min(0),
    }),
  })
  .refine((i) => [i.defaultPreset, ...i.presets].every((p) => i.pipelineIds[p] !== undefined), {
    message: 'pipelineIds must name the pipeline of every preset offered',
    path: ['pipelineIds'],
  })
  .describe('Response of GET /v1/info.');
export type GpuNodeInfo = z.infer<typeof GpuNodeInfoSchema>;
