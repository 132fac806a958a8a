// What the public API sends back, as plain interfaces. The zod schemas of these responses live in
// edge/api/schemas.ts, which a browser client must not pull in (it imports the edge's bank and auth
// modules); test/browser/client-contract.test.ts proves at compile time that each interface here
// equals the output type of its edge schema, so neither side can drift alone.
// Request types come straight from shared/schemas.ts (type-only imports: no zod in the bundle).
import type { ExifMode } from '../api/gpu-node.ts';
import type { BankFile, ProposalPreset, ReferenceAnnotation, SegmentOptionsInput } from '../schemas.ts';
import type { BoxXyxy, CocoBox, Rle } from '../types.ts';

export type { BankFile, ExifMode, ProposalPreset, ReferenceAnnotation, SegmentOptionsInput };

/** Which pixel grid masks and boxes refer to: the EXIF-rotated image (`applied`) or the stored one. */
export type Orientation = 'applied' | 'ignored';

export interface CreateBankInput {
  /** Bank id (1–64 of `A-Za-z0-9_-`); generated when absent. */
  id?: string;
  name: string;
  /** Class names in label order. */
  classes: string[];
}

export interface NearestClass {
  className: string;
  cosine: number;
}

export interface ClassQuality {
  meanLeaveOneOutCosine: number | null;
  outliers: string[];
  confusable: string[];
  nearestClass: NearestClass | null;
}

export interface ReferenceQuality {
  basis: 'leave-one-out' | 'single-shot' | 'class-prototype' | 'no-positives';
  classCosine: number | null;
  nearestOtherClass: NearestClass | null;
  margin: number | null;
  outlier: boolean;
  confusable: boolean;
}

export interface BankSummary {
  id: string;
  name: string;
  modelId: string;
  pipelineId: string;
  referenceCount: number;
  createdAt: string;
  updatedAt: string;
  /** Changes with every change of the bank. */
  revision: string;
  classes: string[];
}

export interface ClassView {
  name: string;
  /** The class's index in detections. */
  label: number;
  positives: number;
  negatives: number;
  quality: ClassQuality;
}

export interface BankView extends Omit<BankSummary, 'classes'> {
  /** Embedding dimension; null before the first reference. */
  dim: number | null;
  classes: ClassView[];
}

export interface ReferenceSource {
  annotation: 'mask' | 'polygons' | 'box' | 'imported';
  imageSha256?: string;
}

export interface ReferenceView {
  id: string;
  className: string;
  negative: boolean;
  createdAt: string;
  source: ReferenceSource;
  /** The mask the reference's feature was computed from (for a box: SAM2's). */
  mask?: Rle;
  quality: ReferenceQuality;
}

export interface AddReferencesResponse {
  bank: BankView;
  /** The references just added, in request order. */
  references: ReferenceView[];
}

export interface ImageResponse {
  /** Lower-case hex SHA-256 of the image bytes: pass it to segment as `{ imageId }`. */
  imageId: string;
  width: number;
  height: number;
  orientation: Orientation;
  modelId: string;
  pipelineId: string;
  /** Proposals cached for the image. */
  candidates: number;
  cache: 'hit' | 'miss';
  /** How long the imageId can be used. */
  expiresInSeconds: number;
}

/** A mask in the format asked for with `maskFormat`. */
export type MaskOutput = Rle | { size: [number, number]; polygons: number[][] } | { size: [number, number]; png: string };

export interface SegmentDetection {
  class: string;
  label: number;
  score: number;
  box: BoxXyxy;
  bbox: CocoBox;
  area: number;
  mask: MaskOutput;
  /** Index of the proposal in the image's candidate set. */
  index: number;
}

export interface SemanticMask {
  class: string;
  label: number;
  instances: number;
  area: number;
  mask: MaskOutput;
}

export interface SegmentResponse {
  imageId: string;
  width: number;
  height: number;
  orientation: Orientation;
  bankId: string;
  bankRevision: string;
  modelId: string;
  pipelineId: string;
  /** `hit`: no gpu-node work was needed. */
  cache: 'hit' | 'miss';
  classes: string[];
  classesWithoutReferences: string[];
  /** Best first. */
  detections: SegmentDetection[];
  semantic?: SemanticMask[];
}
