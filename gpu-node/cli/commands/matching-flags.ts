// Matching flags of the commands that write COCO results (segment, eval): the COCO box
// convention and the label rule of score-0 candidates (docs/fidelity.md §1, §4).
import { ZERO_SCORE_LABELS } from '../../../shared/matching/zero-score-label.ts';
import type { ZeroScoreLabel } from '../../../shared/matching/zero-score-label.ts';
import type { OptionSpec } from '../command.ts';
import { UsageError } from '../command.ts';

export const MATCHING_FLAGS = {
  'official-box-compat': {
    type: 'boolean',
    description: "Write the official code's one-pixel-short COCO boxes [x, y, x2-x1, y2-y1] (benchmark parity); default: true extents",
  },
  'zero-score-label': {
    type: 'string',
    valueName: 'rule',
    default: 'first',
    description: `Label of a candidate whose cosines are all <= 0, which decides whom it suppresses in NMS: ${ZERO_SCORE_LABELS.join(', ')} (docs/fidelity.md)`,
  },
} as const satisfies Record<string, OptionSpec>;

export function zeroScoreLabelOption(value: string): ZeroScoreLabel {
  const rule = ZERO_SCORE_LABELS.find((r) => r === value);
  if (rule === undefined) throw new UsageError(`--zero-score-label must be one of ${ZERO_SCORE_LABELS.join(', ')}, not "${value}".`);
  return rule;
}
