// Image bytes → 8-bit RGB, HWC interleaved, the way the official loader sees them
// (PIL `Image.open(...).convert("RGB")`): sharp's JPEG decoder gives Pillow's bytes (DESIGN.md,
// Decoding); alpha is dropped without compositing and grey is replicated, as `convert("RGB")`
// does; embedded ICC profiles are ignored because Pillow ignores them too.
//
// EXIF orientation: applied by default (phone photos through the HTTP API); `orientation:
// 'ignore'` keeps the stored pixel grid, which is what Pillow's `open` returns and what COCO
// annotations refer to (dataset and evaluation commands).
import sharp, { type Metadata } from 'sharp';
import { PixelLimitError } from '../../shared/errors.ts';
import { CorruptImageError, UnsupportedImageFormatError } from '../../shared/images/errors.ts';

export const DEFAULT_MAX_PIXELS = 40_000_000;
// The formats of ACCEPTED_IMAGE_TYPES (shared/images); GIF and TIFF give their first frame or page.
const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);

export interface DecodeOptions {
  /** Default 'apply'. */
  orientation?: 'apply' | 'ignore';
  /** Refused above this many pixels, checked from the header before decoding. Default 40 MP. */
  maxPixels?: number;
}

export interface DecodedImage {
  /** width × height × 3 bytes, row-major RGB. */
  data: Uint8Array;
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff';
  /** EXIF Orientation tag of the file (1 when absent). */
  exifOrientation: number;
  /** Which pixel grid `data` (and so every mask made from it) refers to. */
  orientation: 'applied' | 'ignored';
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const apply = (opts.orientation ?? 'apply') === 'apply';

  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new CorruptImageError(`The bytes are not a readable image (${reason(err)}).`, { cause: err });
  }
  if (!FORMATS.has(meta.format)) throw new UnsupportedImageFormatError(meta.format);
  const { width, height } = meta;
  if (!width || !height) throw new CorruptImageError('The image header gives no size.');
  if (width * height > maxPixels) throw new PixelLimitError(width, height, maxPixels);

  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', ignoreIcc: true, autoOrient: apply, limitInputPixels: maxPixels })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder returned ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      format: meta.format as DecodedImage['format'],
      exifOrientation: meta.orientation ?? 1,
      orientation: apply ? 'applied' : 'ignored',
    };
  } catch (err) {
    throw new CorruptImageError(`The ${meta.format} image could not be decoded (${reason(err)}).`, { cause: err });
  }
}
