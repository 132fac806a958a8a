// Where the dataset commands get model work done: models opened in this process, or a gpu-node
// reached over its internal API. Both take images in stored-pixel orientation (EXIF ignored):
// COCO annotations refer to the pixel grid as stored (DESIGN.md, Decoding).
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import type { CandidateSet } from '../../shared/types.ts';
import type { ProposalPreset } from '../../shared/schemas.ts';
import type { ProposalConfigInput } from '../pipeline/index.ts';

/** A preset name, or (models in this process only) a full proposal configuration. */
export type ProposalChoice = ProposalPreset | ProposalConfigInput;

export interface ReferenceVectorOut {
  /** Unnormalised instance mean. */
  vector: Float32Array;
  maskSource: 'given' | 'sam2-box';
  predictedIou?: number;
}

export interface DatasetBackend {
  /** `local` or the gpu-node's URL: shown to the user, part of nothing that is compared. */
  readonly where: string;
  readonly modelId: string;
  readonly dim: number;
  pipelineId(proposals: ProposalChoice): string;
  /** One vector per annotation, in order. */
  referenceVectors(bytes: Uint8Array, annotations: readonly GpuReferenceAnnotation[]): Promise<ReferenceVectorOut[]>;
  candidates(bytes: Uint8Array, proposals: ProposalChoice): Promise<CandidateSet>;
  close(): Promise<void>;
}
