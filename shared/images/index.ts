// Images before decoding: accepted types, type and size from the header bytes, typed refusals.
export { ACCEPTED_IMAGE_TYPES, CorruptImageError, UnsupportedImageBytesError, UnsupportedImageFormatError } from './errors.ts';
export type { ImageType } from './errors.ts';
export { checkImage, sniffImage } from './sniff.ts';
export type { ImageHeader } from './sniff.ts';
