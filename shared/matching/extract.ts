// The bank-agnostic half (DESIGN.md "The split"): everything about an image's proposals that does
// not depend on the memory bank, so the edge can cache it and match it against any bank later.
import type { Candidate, CandidateSet } from '../types.ts';
import { createFullResRenderer } from './fullres-mask.ts';
import { checkedPlanes, maskEmbedder } from './proposal-input.ts';
import type { ProposalInput } from './proposal-input.ts';

/** What identifies a candidate set besides its content. */
export interface CandidateSetIdentity {
  imageSha256: string;
  modelId: string;
  pipelineId: string;
}

/**
 * One candidate per proposal whose 256-grid mask is non-empty, in proposal order (an empty one
 * has no embedding: deviation 2 of options.ts). Candidates whose full-resolution mask is empty are
 * kept: they still take part in NMS.
 */
export function extractCandidates(input: ProposalInput, identity: CandidateSetIdentity): CandidateSet {
  const planes = checkedPlanes(input);
  const n = planes.count;
  const embed = maskEmbedder(input, n);
  const renderer = createFullResRenderer(input.height, input.width);
  const candidates: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const mask = planes.scan(i);
    const embedding = embed(mask);
    if (embedding === null) continue;
    candidates.push({ iou: input.iou[i], box256: mask.box, embedding, mask: planes.renderRle(renderer, mask) });
  }
  return { ...identity, width: input.width, height: input.height, dim: input.features.dim, candidates };
}
