// A target's candidate set (DESIGN.md "The split"): the preset's proposals, then the shared
// bank-agnostic extraction, labelled with the image hash, the model id and the pipeline id.
import { extractCandidates } from '../../shared/matching/index.ts';
import type { ProposalInput } from '../../shared/matching/index.ts';
import type { CandidateSet } from '../../shared/types.ts';
import type { Sam2Api } from '../models/index.ts';
import { proposeMasks } from './proposals.ts';
import type { ProposalConfig } from './presets.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';
import type { RgbImage } from '../preprocess/tensors.ts';
import type { AnalysedTarget } from './encode-target.ts';

/** The proposals of an analysed target as the shared post-model pipeline takes them. */
export async function proposalInput(
  sam2: Sam2Api,
  target: AnalysedTarget<RgbImage>,
  config: ProposalConfig,
  observe?: StageObserver,
): Promise<ProposalInput> {
  const { width, height } = target.image;
  const { logits, iou } = await proposeMasks(sam2, target.embeddings, config, { width, height }, observe);
  return { lowResLogits: logits, iou, features: target.features, width, height };
}

export async function candidateSet(
  sam2: Sam2Api,
  target: AnalysedTarget<RgbImage>,
  config: ProposalConfig,
  ids: { modelId: string; pipelineId: string },
  observe?: StageObserver,
): Promise<CandidateSet> {
  const input = await proposalInput(sam2, target, config, observe);
  return timed(observe, 'extract', () => extractCandidates(input, { imageSha256: target.imageSha256, ...ids }));
}
