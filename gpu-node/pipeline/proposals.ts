// SAM2 proposals of one encoded image, by preset: the low-resolution logits of the chosen masks
// and their predicted IoUs, in the order the preset defines.
import type { LowResInput, PatchFeatures } from '../../shared/matching/index.ts';
import type { Sam2Api, Sam2Embeddings } from '../models/index.ts';
import { amgProposals } from './proposals-amg.ts';
import { officialProposals } from './proposals-official.ts';
import type { ProposalConfig } from './presets.ts';
import type { StageObserver } from './stages.ts';

export interface LowResProposals {
  /** [n, 256, 256] logits, or their compact form when the decoder graph chose the masks. */
  logits: LowResInput;
  /** n predicted IoUs (float32 values). */
  iou: Float32Array;
  /** [n, D] unit mask embeddings, when the device pooled them. */
  embeddings?: Float32Array;
}

export function proposeMasks(
  sam2: Sam2Api,
  emb: Sam2Embeddings,
  config: ProposalConfig,
  size: { width: number; height: number; features?: PatchFeatures },
  observe?: StageObserver,
): Promise<LowResProposals> {
  return config.preset === 'official' ? officialProposals(sam2, emb, config, observe, size) : amgProposals(sam2, emb, config, size, observe);
}
