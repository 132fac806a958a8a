// The label of a candidate whose cosines are all ≤ 0 (score 0). Officially it is whatever
// torch.topk returns for a row of clamped ties (method.md §3.4). The choice matters: the label
// decides which class's candidates it suppresses in the class-aware NMS, before the `> 0` filter
// drops it. test/fixtures/torch-topk-ties/README.md has the measurements behind these rules.
import { z } from 'zod';

export const ZERO_SCORE_LABELS = ['first', 'torch-cpu', 'raw-cosine', 'exclude'] as const;

/**
 * - `first`: the first allowed class. Agrees with torch.topk on CPU for 1–3 and 64+ classes.
 * - `torch-cpu`: the index torch 1.13 CPU returns, measured for every class count.
 * - `raw-cosine`: the class of the largest raw cosine (first on ties); refseg's earlier rule.
 * - `exclude`: labelled like `raw-cosine`, but kept out of NMS, so it suppresses nothing. This
 *   departs from the paper's pipeline.
 */
export const zeroScoreLabelSchema = z.enum(ZERO_SCORE_LABELS);
export type ZeroScoreLabel = z.infer<typeof zeroScoreLabelSchema>;

// torch's CPU top-k uses std::partial_sort when 64·k ≤ n (the first of equal values wins) and
// std::nth_element otherwise. For k = 1 and n < 64 classes this is where nth_element leaves a
// row of ties, indexed by n − 1, as measured with torch 1.13.1 (torch-topk-ties.json).
const TORCH_CPU_NTH_ELEMENT = [
  0, 0, 0, 2, 2, 3, 5, 6, 7, 8, 8, 9, 8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 17, 18, 18, 19, 20, 21, 21, 22, 23, 24, 24,
  25, 26, 27, 27, 28, 28, 29, 29, 30, 31, 32, 32, 33, 32, 33, 33, 34, 35, 36, 36, 37, 37, 38, 38, 39, 40, 41, 41,
];

/** Index torch.topk(k=1) returns on CPU for a row of `classCount` equal values. */
export function torchCpuTieIndex(classCount: number): number {
  return classCount >= 1 && classCount < 64 ? TORCH_CPU_NTH_ELEMENT[classCount - 1] : 0;
}

/**
 * The position, among `classCount` allowed classes, of the label of a zero-score candidate;
 * `rawBest` is the position of its largest raw cosine.
 */
export function zeroScorePosition(rule: ZeroScoreLabel, classCount: number, rawBest: number): number {
  switch (rule) {
    case 'first':
      return 0;
    case 'torch-cpu':
      return torchCpuTieIndex(classCount);
    case 'raw-cosine':
    case 'exclude':
      return rawBest;
  }
}
