// Image type and size from the first bytes, without decoding: the edge refuses what the gpu-node
// would refuse (wrong type 415, too many pixels 422) before spending a gpu-node call on it. The
// declared Content-Type is never trusted. EXIF orientation is not read: a rotation does not
// change the pixel count, and the gpu-node reports which grid its masks refer to.
import { PixelLimitError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';
import { CorruptImageError, UnsupportedImageBytesError } from './errors.ts';
import type { ImageType } from './errors.ts';

export interface ImageHeader {
  type: ImageType;
  /** Stored pixel grid (before any EXIF rotation). */
  width: number;
  height: number;
}

/** Known signatures of formats refseg does not take, to name them in the 415. */
const OTHER_FORMATS: [string, (b: Uint8Array) => boolean][] = [
  ['image/bmp', (b) => ascii(b, 0, 2) === 'BM'],
  ['image/avif', (b) => ascii(b, 4, 8) === 'ftypavif'],
  ['image/heic', (b) => ascii(b, 4, 8) === 'ftypheic' || ascii(b, 4, 8) === 'ftypmif1'],
  ['image/svg+xml', (b) => /^\s*(<\?xml|<svg)/i.test(ascii(b, 0, 64))],
];

/**
 * Type and stored size of an image, or the 415/422 that refuses it. `declared`: the media type the
 * client gave the bytes (Content-Type or the part's type), named in a 415 when it differs.
 */
export function sniffImage(bytes: Uint8Array, field = 'image', declared: string | null = null): ImageHeader {
  const options = { field };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { type: 'image/jpeg', ...jpegSize(bytes, options) };
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return { type: 'image/png', ...pngSize(bytes, options) };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { type: 'image/webp', ...webpSize(bytes, options) };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { type: 'image/gif', ...gifSize(bytes, options) };
  if (ascii(bytes, 0, 2) === 'II' || ascii(bytes, 0, 2) === 'MM') {
    const size = tiffSize(bytes, options);
    if (size) return { type: 'image/tiff', ...size };
  }
  const other = OTHER_FORMATS.find(([, test]) => test(bytes));
  throw new UnsupportedImageBytesError(other ? other[0] : null, declared, options);
}

/** sniffImage, then the pixel limit. */
export function checkImage(bytes: Uint8Array, maxPixels: number, field = 'image', declared: string | null = null): ImageHeader {
  const header = sniffImage(bytes, field, declared);
  if (header.width * header.height > maxPixels) throw new PixelLimitError(header.width, header.height, maxPixels, { field });
  return header;
}

interface Size {
  width: number;
  height: number;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, Math.min(end, b.length)));
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function sized(width: number, height: number, what: string, options: RefsegErrorOptions): Size {
  if (width === 0 || height === 0) throw new CorruptImageError(`The ${what} header gives an empty size (${width}×${height}).`, options);
  return { width, height };
}

function pngSize(b: Uint8Array, options: RefsegErrorOptions): Size {
  // The first chunk must be IHDR: length 13, then width and height (u32 big-endian).
  if (b.length < 24 || ascii(b, 12, 16) !== 'IHDR') throw new CorruptImageError('The PNG has no IHDR header.', options);
  return sized(view(b).getUint32(16), view(b).getUint32(20), 'PNG', options);
}

/** Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC). */
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function jpegSize(b: Uint8Array, options: RefsegErrorOptions): Size {
  const v = view(b);
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) break;
    const marker = b[pos + 1];
    // Fill bytes, and markers without a length (TEM, RSTn).
    if (marker === 0xff) {
      pos++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break;
    const length = v.getUint16(pos + 2);
    if (length < 2) break;
    if (isSof(marker)) {
      if (pos + 9 > b.length) break;
      return sized(v.getUint16(pos + 7), v.getUint16(pos + 5), 'JPEG', options);
    }
    pos += 2 + length;
  }
  throw new CorruptImageError('The JPEG has no frame header before its image data.', options);
}

function webpSize(b: Uint8Array, options: RefsegErrorOptions): Size {
  const v = view(b);
  const chunk = ascii(b, 12, 16);
  if (chunk === 'VP8X' && b.length >= 30) {
    const w = 1 + (v.getUint16(24, true) | (b[26] << 16));
    const h = 1 + (v.getUint16(27, true) | (b[29] << 16));
    return sized(w, h, 'WebP', options);
  }
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    const bits = v.getUint32(21, true);
    return sized(1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff), 'WebP', options);
  }
  // Lossy key frame: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
  if (chunk === 'VP8 ' && b.length >= 30 && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
    return sized(v.getUint16(26, true) & 0x3fff, v.getUint16(28, true) & 0x3fff, 'WebP', options);
  }
  throw new CorruptImageError('The WebP header is truncated or of an unknown kind.', options);
}

function gifSize(b: Uint8Array, options: RefsegErrorOptions): Size {
  // Logical screen: u16 little-endian width and height after the 6-byte signature. Frames lie
  // within it; the decoder takes the first.
  if (b.length < 10) throw new CorruptImageError('The GIF header is truncated.', options);
  return sized(view(b).getUint16(6, true), view(b).getUint16(8, true), 'GIF', options);
}

const TIFF_IMAGE_WIDTH = 256;
const TIFF_IMAGE_LENGTH = 257;
const TIFF_SHORT = 3;
const TIFF_LONG = 4;

/** Size of the first page (IFD 0) of a classic TIFF; null when the bytes are no TIFF at all. */
function tiffSize(b: Uint8Array, options: RefsegErrorOptions): Size | null {
  if (b.length < 8) return null;
  const le = b[0] === 0x49;
  const v = view(b);
  const magic = v.getUint16(2, le);
  if (magic === 43) throw new CorruptImageError('BigTIFF files are not supported; save the image as a classic TIFF, PNG or JPEG.', options);
  if (magic !== 42) return null;
  const ifd = v.getUint32(4, le);
  if (ifd < 8 || ifd + 2 > b.length) throw new CorruptImageError('The TIFF header points past the end of the file.', options);
  const count = v.getUint16(ifd, le);
  let width = 0;
  let height = 0;
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + 12 * i;
    if (at + 12 > b.length) throw new CorruptImageError('The TIFF directory is truncated.', options);
    const tag = v.getUint16(at, le);
    const type = v.getUint16(at + 2, le);
    if (tag !== TIFF_IMAGE_WIDTH && tag !== TIFF_IMAGE_LENGTH) continue;
    const value = type === TIFF_SHORT ? v.getUint16(at + 8, le) : type === TIFF_LONG ? v.getUint32(at + 8, le) : 0;
    if (tag === TIFF_IMAGE_WIDTH) width = value;
    else height = value;
  }
  return sized(width, height, 'TIFF', options);
}
