// The whole pipeline on the node (command-line tool, single-node use): the candidate set, then
// the same shared matching the edge runs on it, so both tiers return identical detections.
import { matchCandidates } from '../../shared/matching/index.ts';
import type { PipelineOptionsInput } from '../../shared/matching/index.ts';
import type { CandidateSet, Detection } from '../../shared/types.ts';
import type { Sam2Api } from '../models/index.ts';
import { candidateSet } from './candidates.ts';
import type { ProposalConfig } from './presets.ts';
import { timed } from './stages.ts';
import type { StageObserver } from './stages.ts';
import type { AnalysedTarget } from './target.ts';

export interface Segmentation {
  set: CandidateSet;
  /** Best first; `index` is the candidate's index in `set`. */
  detections: Detection[];
}

/** `prototypes[c]`: class c's prototype (mean of its instance vectors, normalised or not). */
export async function segmentTarget(
  sam2: Sam2Api,
  target: AnalysedTarget,
  config: ProposalConfig,
  ids: { modelId: string; pipelineId: string },
  prototypes: readonly ArrayLike<number>[],
  options?: PipelineOptionsInput,
  observe?: StageObserver,
): Promise<Segmentation> {
  return matchSet(await candidateSet(sam2, target, config, ids, observe), prototypes, options, observe);
}

/** A candidate set matched against the prototypes (the scheduler's finish lane runs it on its own). */
export async function matchSet(
  set: CandidateSet,
  prototypes: readonly ArrayLike<number>[],
  options?: PipelineOptionsInput,
  observe?: StageObserver,
): Promise<Segmentation> {
  const detections = await timed(observe, 'match', () => matchCandidates(set, prototypes, options));
  return { set, detections };
}
