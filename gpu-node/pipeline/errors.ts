// Client-visible failures of the pipeline (4xx); model and configuration faults are in
// gpu-node/models/errors.ts.
import { UnprocessableError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

/** SAM2's mask for a box-only reference has no pixel at the image's resolution. */
export class EmptyBoxMaskError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'empty-box-mask', 'No object found in the box');
  }
}

/** SAM2's mask for a preview prompt has no pixel at the image's resolution. */
export class EmptyPromptMaskError extends UnprocessableError {
  constructor(prompt: unknown, options?: RefsegErrorOptions) {
    super(`SAM2 found no object for the prompt ${JSON.stringify(prompt)}; try a tighter box or a point on the object.`, { field: 'prompt', ...options }, 'empty-prompt-mask', 'No object found for the prompt');
  }
}
