// The image types refseg takes, and what a client is told about images it cannot use (4xx).
// Pixel-count overruns use PixelLimitError from shared/errors.ts.
import { UnprocessableError, UnsupportedMediaTypeError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';

/** What the gpu-node decodes (gpu-node/preprocess: sharp with jpeg, png, webp). */
export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof ACCEPTED_IMAGE_TYPES)[number];

/** The bytes are not a readable image: damaged, truncated, or a header that contradicts itself. */
export class CorruptImageError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'corrupt-image', 'Image cannot be decoded');
  }
}

/** A real image in a format refseg does not take (GIF, TIFF, AVIF, SVG, ...). */
export class UnsupportedImageFormatError extends UnsupportedMediaTypeError {
  constructor(format: string, options?: RefsegErrorOptions) {
    super(`image/${format}`, ACCEPTED_IMAGE_TYPES, options);
  }
}
