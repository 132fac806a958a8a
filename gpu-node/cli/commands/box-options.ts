// The COCO box convention flag of the commands that write COCO results (segment, eval).
import type { OptionSpec } from '../command.ts';

export const BOX_OPTIONS = {
  'official-box-compat': {
    type: 'boolean',
    description: "Write the official code's one-pixel-short COCO boxes [x, y, x2-x1, y2-y1] (benchmark parity); default: true extents",
  },
} as const satisfies Record<string, OptionSpec>;
