// The image types refseg takes, and what a client is told about images it cannot use (4xx).
// Pixel-count overruns use PixelLimitError from shared/errors.ts.
import { RefsegError, UnprocessableError, UnsupportedMediaTypeError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';

/**
 * What the gpu-node decodes (gpu-node/preprocess: sharp). GIF and TIFF give their first frame or
 * page. BMP, AVIF, HEIC and SVG are refused: sharp's prebuilt libvips reads no BMP, and the
 * others are either patent-encumbered or not pixels.
 */
export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/tiff'] as const;
export type ImageType = (typeof ACCEPTED_IMAGE_TYPES)[number];

/** The bytes are not a readable image: damaged, truncated, or a header that contradicts itself. */
export class CorruptImageError extends UnprocessableError {
  constructor(detail: string, options?: RefsegErrorOptions) {
    super(detail, options, 'corrupt-image', 'Image cannot be decoded');
  }
}

/** A real image in a format refseg does not take (BMP, AVIF, SVG, ...), as its decoder names it. */
export class UnsupportedImageFormatError extends UnsupportedMediaTypeError {
  constructor(format: string, options?: RefsegErrorOptions) {
    super(`image/${format}`, ACCEPTED_IMAGE_TYPES, options);
  }
}

/**
 * Bytes whose sniffed type is not accepted. Names what the bytes are (or that they are no known
 * image), and the type the client declared when it differs, since that is what the client sees.
 */
export class UnsupportedImageBytesError extends RefsegError {
  constructor(sniffed: string | null, declared: string | null, options?: RefsegErrorOptions) {
    const what = sniffed === null ? 'are not an image format refseg recognises' : `are ${sniffed}, which refseg does not take`;
    const said = declared !== null && declared !== sniffed ? ` (the request declared them as ${declared})` : '';
    super(415, 'unsupported-media-type', 'Unsupported media type', `The image's bytes ${what}${said}; send one of: ${ACCEPTED_IMAGE_TYPES.join(', ')}.`, {
      ...options,
      extra: { ...options?.extra, sniffed, declared, accepted: [...ACCEPTED_IMAGE_TYPES] },
    });
  }
}
