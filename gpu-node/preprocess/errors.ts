// Client-visible image problems (4xx). Pixel-count overruns use PixelLimitError from
// shared/errors.ts.
import { UnprocessableError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import type { RefsegErrorOptions } from '../../shared/errors.ts';

export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** The bytes are not an image, or the image data is damaged or truncated. */
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
