// Typed errors of the COCO mask API, placed in the shared hierarchy (shared/errors.ts) so that
// the edge renders them as problem+json without a mapping table.
import { MalformedRleError, UnprocessableError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';

/** A counts string or counts list that pycocotools would misread (or loop on): never decoded. */
export class RleFormatError extends MalformedRleError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options);
  }
}

/**
 * Masks of different sizes combined, or pixel data that does not fill the stated size.
 * pycocotools answers a size mismatch with a 0×0 merge or an IoU of -1, which downstream code
 * would take for a real mask or score; refusing is the only safe answer.
 */
export class MaskSizeMismatchError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'mask-size-mismatch', 'Mask size mismatch');
  }
}
