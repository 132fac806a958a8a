// Errors of the post-model pipeline, in the project's hierarchy (shared/errors.ts).
import { UnprocessableError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';

/**
 * Arrays given to the pipeline disagree in size: logits that are not n×256×256, a feature map
 * or prototypes of another dimension than the candidate embeddings, a class index out of range.
 */
export class ShapeMismatchError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'shape-mismatch', 'Shape mismatch');
  }
}
