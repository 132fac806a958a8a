// What the public API takes and sends back: the types of the zod schemas the edge validates and
// documents with (shared/api/edge.ts, shared/schemas.ts), so client and edge cannot drift apart.
// Type-only re-exports: none of zod reaches a browser bundle (test/browser checks it).
export type { ExifMode, Orientation } from '../api/gpu-node.ts';
export type {
  AddReferencesResponse,
  BankSummary,
  BankView,
  ClassQuality,
  ClassView,
  CreateBankInput,
  ImageResponse,
  MaskOutput,
  MaskPreviewResponse,
  NearestClass,
  ReferenceQuality,
  ReferenceSource,
  ReferenceView,
  SegmentDetection,
  SegmentResponse,
  SemanticMask,
  ServiceInfo,
} from '../api/edge.ts';
export type { MaskPrompt } from '../api/gpu-node.ts';
export type { BankFile, ProposalPreset, ReferenceAnnotation, SegmentOptionsInput } from '../schemas.ts';
