// Image type and size from the first bytes, without decoding: the edge refuses what the gpu-node
// would refuse (wrong type 415, too many pixels 422) before spending a gpu-node call on it. The
// declared Content-Type is never trusted. EXIF orientation is not read: a rotation does not
// change the pixel count, and the gpu-node reports which grid its masks refer to.
import { PixelLimitError, UnsupportedMediaTypeError } from '../errors.ts';
import type { RefsegErrorOptions } from '../errors.ts';
import { ACCEPTED_IMAGE_TYPES, CorruptImageError } from './errors.ts';
import type { ImageType } from './errors.ts';

export interface ImageHeader {
  type: ImageType;
  /** Stored pixel grid (before any EXIF rotation). */
  width: number;
  height: number;
}

/** Known signatures of formats refseg does not take, to name them in the 415. */
const OTHER_FORMATS: [string, (b: Uint8Array) => boolean][] = [
  ['image/gif', (b) => ascii(b, 0, 4) === 'GIF8'],
  ['image/tiff', (b) => ascii(b, 0, 4) === 'II*\0' || ascii(b, 0, 4) === 'MM\0*'],
  ['image/bmp', (b) => ascii(b, 0, 2) === 'BM'],
  ['image/avif', (b) => ascii(b, 4, 8) === 'ftypavif'],
  ['image/heic', (b) => ascii(b, 4, 8) === 'ftypheic' || ascii(b, 4, 8) === 'ftypmif1'],
  ['image/svg+xml', (b) => /^\s*(<\?xml|<svg)/i.test(ascii(b, 0, 64))],
];

/** Type and stored size of an image, or the 415/422 that refuses it. */
export function sniffImage(bytes: Uint8Array, field = 'image'): ImageHeader {
  const options = { field };
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { type: 'image/jpeg', ...jpegSize(bytes, options) };
  if (ascii(bytes, 0, 8) === '\x89PNG\r\n\x1a\n') return { type: 'image/png', ...pngSize(bytes, options) };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return { type: 'image/webp', ...webpSize(bytes, options) };
  const other = OTHER_FORMATS.find(([, test]) => test(bytes));
  throw new UnsupportedMediaTypeError(other ? other[0] : null, ACCEPTED_IMAGE_TYPES, options);
}

/** sniffImage, then the pixel limit. */
export function checkImage(bytes: Uint8Array, maxPixels: number, field = 'image'): ImageHeader {
  const header = sniffImage(bytes, field);
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
