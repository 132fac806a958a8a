// zod schemas of everything that crosses a boundary (HTTP bodies, bank files, JSON candidate
// sets). They only validate, never transform, so the same objects can be turned into the
// OpenAPI document (z.toJSONSchema) and `.describe()` texts become its descriptions.
// Shapes that also exist as interfaces in types.ts (Rle, boxes, Detection) are checked
// against them in schemas.test.ts rather than exported a second time.
import { z } from 'zod';
import { RleFormatError, rleCounts } from './coco-mask/index.ts';
import { base64DecodedLength, base64ToBytes } from './encoding/base64.ts';
import { readFloat32LE } from './encoding/little-endian.ts';
import { zeroScoreLabelSchema } from './matching/zero-score-label.ts';
import type { Rle } from './types.ts';
import { EMBEDDING_DTYPES, MAX_CANDIDATES, MAX_EMBEDDING_DIM, MAX_ID_BYTES, MAX_IMAGE_SIDE } from './wire/limits.ts';

/**
 * A pycocotools compressed counts string: characters '0'..'o' (48 + 6-bit group), and the last
 * one must end a number (no continuation bit 0x20, so '0'..'O').
 */
export const RLE_COUNTS_PATTERN = /^(?:[0-o]*[0-O])?$/;
export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
export const MAX_CLASSES = 2048;
export const MAX_CLASS_NAME_LENGTH = 128;

const utf8 = new TextEncoder();

const idString = (what: string) =>
  z
    .string()
    .min(1)
    .max(MAX_ID_BYTES)
    .refine((s) => utf8.encode(s).length <= MAX_ID_BYTES, `at most ${MAX_ID_BYTES} UTF-8 bytes`)
    .describe(what);

export const ModelIdSchema = idString('Identifies the SAM2 + DINOv2 weights; embeddings of different model ids are never compared.');
export const PipelineIdSchema = idString('Identifies the proposal preset and every option that changes candidates.');

export const ProposalPresetSchema = z
  .enum(['official', 'sam2-amg', 'device-16', 'device-8'])
  .describe(
    '`official`: the paper\'s 32×32 grid, best multimask output, predicted IoU > 0.4, class-aware NMS 0.5. ' +
      '`sam2-amg`: SAM2AutomaticMaskGenerator defaults (offset grid, IoU > 0.8, stability ≥ 0.95, NMS 0.7). ' +
      '`device-16`, `device-8`: `official` on a 16×16 or 8×8 grid (¼ or 1/16 of the prompts) for on-device use; ' +
      'they depart from the paper\'s grid and miss small objects.',
  );
export type ProposalPreset = z.infer<typeof ProposalPresetSchema>;

export const ClassNameSchema = z
  .string()
  .min(1)
  .max(MAX_CLASS_NAME_LENGTH)
  .regex(/^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u, 'no control characters and no surrounding whitespace')
  .describe('Class name as the client chose it (case-sensitive).');

const uniqueNames = (names: readonly string[]) => new Set(names).size === names.length;

// ---- masks and boxes ------------------------------------------------------------------------

const sideSchema = z.number().int().min(0).max(MAX_IMAGE_SIDE);
export const MaskSizeSchema = z
  .tuple([sideSchema.describe('height'), sideSchema.describe('width')])
  .describe('[height, width] of the mask in pixels.');

export const RleSchema = z
  .object({
    size: MaskSizeSchema,
    counts: z
      .string()
      .regex(RLE_COUNTS_PATTERN, 'not a COCO compressed counts string')
      .describe('pycocotools compressed counts: column-major runs, the first counting zeros.'),
  })
  .superRefine((rle, ctx) => {
    const problem = rleProblem(rle);
    if (problem) ctx.addIssue({ code: 'custom', path: ['counts'], message: problem });
  })
  .describe('COCO run-length encoded mask, byte-identical to pycocotools.');

/** Whether the counts decode to runs that tile the mask exactly; a sentence if not. */
export function rleProblem(rle: Rle): string | null {
  try {
    rleCounts(rle);
    return null;
  } catch (err) {
    if (err instanceof RleFormatError) return `mask counts: ${err.detail}`;
    throw err;
  }
}

export const UncompressedRleSchema = z
  .object({
    size: MaskSizeSchema,
    counts: z.array(z.number().int().min(0).max(0xffffffff)).describe('Run lengths, column-major, the first counting zeros.'),
  })
  .refine((r) => r.counts.reduce((a, b) => a + b, 0) === r.size[0] * r.size[1], {
    message: 'run lengths must add up to height × width',
    path: ['counts'],
  })
  .describe('COCO uncompressed RLE (as in iscrowd annotations).');

export const PolygonSchema = z
  .array(z.number())
  .min(6)
  .refine((p) => p.length % 2 === 0, 'a polygon is a flat list of x, y pairs')
  .describe('Flat [x0, y0, x1, y1, ...] in pixel coordinates, at least 3 points.');
export const PolygonsSchema = z.array(PolygonSchema).min(1).describe('COCO polygon list; the mask is their union.');
export type Polygon = z.infer<typeof PolygonSchema>;

const coord = z.number().min(0);
export const CocoBoxSchema = z
  .tuple([coord.describe('x'), coord.describe('y'), coord.describe('width'), coord.describe('height')])
  .describe('COCO box [x, y, width, height] in pixels.');

const pixelIndex = z.number().int().min(0);
export const BoxXyxySchema = z
  .tuple([pixelIndex.describe('x1'), pixelIndex.describe('y1'), pixelIndex.describe('x2'), pixelIndex.describe('y2')])
  .refine(([x1, y1, x2, y2]) => x2 >= x1 && y2 >= y1, 'x2 ≥ x1 and y2 ≥ y1')
  .describe('Inclusive integer box [x1, y1, x2, y2] (first and last mask pixel on each axis).');

const box256Index = z.number().int().min(0).max(255);
export const Box256Schema = z
  .tuple([box256Index, box256Index, box256Index, box256Index])
  .refine(([x1, y1, x2, y2]) => x2 >= x1 && y2 >= y1, 'x2 ≥ x1 and y2 ≥ y1')
  .describe('Inclusive box of the 256×256 low-resolution mask.');

// ---- outputs ---------------------------------------------------------------------------------

export const DetectionSchema = z
  .object({
    label: z.number().int().min(0).describe('Index of the class among the prototypes matched against.'),
    score: z.number().describe('Cosine similarity to the class prototype after soft merging.'),
    box: BoxXyxySchema,
    bbox: CocoBoxSchema.describe('COCO [x, y, w, h]: true extent, or one pixel short under officialBoxCompat.'),
    area: z.number().int().min(0).describe('Mask area in pixels.'),
    mask: RleSchema,
    index: z.number().int().min(0).describe('Index of the proposal in its candidate set.'),
  })
  .describe('One detected instance.');

export const CandidateJsonSchema = z
  .object({
    iou: z.number().describe('SAM predicted IoU of the chosen mask.'),
    box256: Box256Schema,
    embedding: z.base64().describe('L2-normalised mask embedding: little-endian float32 or float16 values, base64.'),
    mask: RleSchema.describe('Full-resolution mask; its size equals the set\'s [height, width].'),
  })
  .describe('One SAM proposal.');

export const CandidateSetJsonSchema = z
  .object({
    version: z.literal(1).describe('Format version.'),
    imageSha256: z.string().regex(SHA256_HEX_PATTERN).describe('Lower-case hex SHA-256 of the image bytes as received.'),
    width: z.number().int().min(1).max(MAX_IMAGE_SIDE),
    height: z.number().int().min(1).max(MAX_IMAGE_SIDE),
    modelId: ModelIdSchema,
    pipelineId: PipelineIdSchema,
    dim: z.number().int().min(1).max(MAX_EMBEDDING_DIM).describe('Embedding dimension D.'),
    embeddingDtype: z.enum(EMBEDDING_DTYPES).describe('Element type of every embedding.'),
    candidates: z.array(CandidateJsonSchema).max(MAX_CANDIDATES),
  })
  .superRefine((set, ctx) => {
    const bytes = set.dim * (set.embeddingDtype === 'float32' ? 4 : 2);
    set.candidates.forEach((c, i) => {
      if (base64DecodedLength(c.embedding) !== bytes) {
        ctx.addIssue({ code: 'custom', path: ['candidates', i, 'embedding'], message: `must decode to ${bytes} bytes (dim × ${set.embeddingDtype})` });
      }
      if (c.mask.size[0] !== set.height || c.mask.size[1] !== set.width) {
        ctx.addIssue({ code: 'custom', path: ['candidates', i, 'mask', 'size'], message: `must be [${set.height}, ${set.width}]` });
      }
    });
  })
  .describe('Bank-independent proposals of one image (`?format=json` form of the binary candidate set).');
export type CandidateSetJson = z.infer<typeof CandidateSetJsonSchema>;

// ---- references and banks --------------------------------------------------------------------

export const ReferenceAnnotationSchema = z
  .strictObject({
    className: ClassNameSchema,
    mask: z.union([RleSchema, UncompressedRleSchema]).optional().describe('Instance mask at the reference image\'s size.'),
    polygons: PolygonsSchema.optional(),
    box: CocoBoxSchema.optional().describe('Box only: SAM2 turns it into a mask.'),
    negative: z.boolean().optional().describe('true: an example of what this class is not.'),
  })
  .refine((a) => [a.mask, a.polygons, a.box].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of mask, polygons or box',
  })
  .describe('One annotated instance on a reference image.');
export type ReferenceAnnotation = z.infer<typeof ReferenceAnnotationSchema>;

export const BankIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/)
  .describe('Bank id: 1–64 letters, digits, `_` or `-`.');

const classList = z
  .array(ClassNameSchema)
  .max(MAX_CLASSES)
  .refine(uniqueNames, 'class names must be unique');

export const BankSchema = z
  .object({
    id: BankIdSchema,
    name: z.string().min(1).max(200),
    classes: classList.describe('Classes in label order: detection labels index this list.'),
    modelId: ModelIdSchema,
    pipelineId: PipelineIdSchema,
  })
  .describe('A memory bank of reference instances.');
export type Bank = z.infer<typeof BankSchema>;

export const ReferenceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/)
  .describe('Reference id: 1–128 letters, digits or `_.:-`.');

export const InstanceVectorSchema = z
  .strictObject({
    referenceId: ReferenceIdSchema,
    vector: z.base64().describe('Un-normalised instance mean (dim little-endian float32 values), base64.'),
  })
  .describe('The stored feature of one reference instance.');

export const BankFileSchema = z
  .strictObject({
    format: z.literal('refseg.bank'),
    version: z.literal(1),
    name: z.string().min(1).max(200).optional(),
    modelId: ModelIdSchema,
    pipelineId: PipelineIdSchema,
    dim: z.number().int().min(1).max(MAX_EMBEDDING_DIM),
    classes: z
      .array(
        z.strictObject({
          name: ClassNameSchema,
          instances: z.array(InstanceVectorSchema).describe('Positive references; the class prototype is the normalised mean of these.'),
          negatives: z.array(InstanceVectorSchema).describe('Negative references of this class.'),
        }),
      )
      .max(MAX_CLASSES)
      .refine((cs) => uniqueNames(cs.map((c) => c.name)), 'class names must be unique')
      .describe('Classes in label order.'),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.classes.forEach((cls, ci) => {
      for (const kind of ['instances', 'negatives'] as const) {
        cls[kind].forEach((ref, ri) => {
          const path = ['classes', ci, kind, ri];
          if (seen.has(ref.referenceId)) ctx.addIssue({ code: 'custom', path: [...path, 'referenceId'], message: 'duplicate reference id' });
          seen.add(ref.referenceId);
          const problem = vectorProblem(ref.vector, file.dim);
          if (problem) ctx.addIssue({ code: 'custom', path: [...path, 'vector'], message: problem });
        });
      }
    });
  })
  .describe('Portable memory bank: everything needed to rebuild a bank on another server with the same models.');
export type BankFile = z.infer<typeof BankFileSchema>;
export type InstanceVector = z.infer<typeof InstanceVectorSchema>;

function vectorProblem(base64: string, dim: number): string | null {
  if (base64DecodedLength(base64) !== dim * 4) return `must decode to ${dim * 4} bytes (dim float32 values)`;
  // zod still runs this refinement after a failed base64 format check: decode defensively.
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(base64);
  } catch {
    return null;
  }
  const values = readFloat32LE(bytes, 0, dim);
  for (let i = 0; i < dim; i++) if (!Number.isFinite(values[i])) return `value ${i} is not finite`;
  return null;
}

// ---- requests ----------------------------------------------------------------------------

export const SegmentOptionsSchema = z
  .strictObject({
    classes: classList.min(1).optional().describe('Match only these classes of the bank (default: all).'),
    scoreThreshold: z.number().min(0).max(1).default(0).describe('Minimum final score (inclusive) of a detection.'),
    perClassThresholds: z
      .record(ClassNameSchema, z.number().min(0).max(1))
      .optional()
      .describe('Per-class minimum score, overriding scoreThreshold for that class.'),
    maxDetections: z.number().int().min(1).max(1000).default(100).describe('Detections returned per image, best first.'),
    maskFormat: z.enum(['rle', 'polygon', 'png']).default('rle').describe('How masks are returned.'),
    semantic: z.boolean().default(false).describe('Also return one merged mask per class (semantic segmentation).'),
    officialBoxCompat: z
      .boolean()
      .default(false)
      .describe('Report the official code\'s one-pixel-short COCO boxes (benchmark parity).'),
    preset: ProposalPresetSchema.default('official'),
    zeroScoreLabel: zeroScoreLabelSchema
      .optional()
      .describe('Label of a candidate whose cosines are all <= 0, which decides whom it suppresses in NMS (default first; docs/fidelity.md).'),
  })
  .describe('Options of a segmentation request.');
/** Options as clients write them (every field optional). */
export type SegmentOptionsInput = z.input<typeof SegmentOptionsSchema>;
/** Options with defaults filled in. */
export type SegmentOptions = z.output<typeof SegmentOptionsSchema>;
