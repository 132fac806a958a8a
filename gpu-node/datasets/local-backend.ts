// DatasetBackend over a pipeline opened in this process (gpu-node/pipeline).
import type { GpuReferenceAnnotation } from '../../shared/api/gpu-node.ts';
import type { GpuPipeline } from '../pipeline/index.ts';
import type { DatasetBackend, ProposalChoice } from './backend.ts';

export function localBackend(pipeline: GpuPipeline): DatasetBackend {
  return {
    where: 'local',
    modelId: pipeline.modelId,
    dim: pipeline.info.dino.dim,
    pipelineId: (proposals: ProposalChoice) => pipeline.pipelineId(proposals),
    async referenceVectors(bytes: Uint8Array, annotations: readonly GpuReferenceAnnotation[]) {
      const { references } = await pipeline.referenceVectors(bytes, annotations, { exif: 'ignore' });
      return references.map((r) => ({ vector: r.vector, maskSource: r.maskSource, ...(r.predictedIou === undefined ? {} : { predictedIou: r.predictedIou }) }));
    },
    async candidates(bytes: Uint8Array, proposals: ProposalChoice) {
      return (await pipeline.candidates(bytes, { proposals, exif: 'ignore' })).set;
    },
    close: () => pipeline.close(),
  };
}
