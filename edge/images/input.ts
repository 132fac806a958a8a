// An image as a request carries it: the raw body, or a file part of a multipart form. Checked
// (type from the bytes, pixel limit from the header) and hashed before any gpu-node sees it.
import { BadRequestError, ValidationError } from '../../shared/errors.ts';
import { sha256Hex } from '../../shared/encoding/sha256.ts';
import { ACCEPTED_IMAGE_TYPES, checkImage } from '../../shared/images/index.ts';
import type { ImageHeader } from '../../shared/images/index.ts';

export interface ImageInput {
  bytes: Uint8Array;
  header: ImageHeader;
  /** Lower-case hex SHA-256 of the bytes: the imageId and the cache key. */
  sha256: string;
}

/** `declared`: the media type the client gave (named in a 415 when the bytes are something else). */
export async function imageInput(bytes: Uint8Array, maxPixels: number, field: string, declared: string | null = null): Promise<ImageInput> {
  if (bytes.length === 0) throw new ValidationError([{ path: field, message: 'the image is empty', code: 'too_small' }], { status: 422 });
  const header = checkImage(bytes, maxPixels, field, declared);
  return { bytes, header, sha256: await sha256Hex(bytes) };
}

/** Media types a raw image body may be declared as (the bytes decide what it really is). */
export const RAW_IMAGE_TYPES = [...ACCEPTED_IMAGE_TYPES, 'application/octet-stream'];

export function isRawImageType(mediaType: string | null): boolean {
  return mediaType !== null && (mediaType.startsWith('image/') || mediaType === 'application/octet-stream');
}

export async function rawImage(request: Request, maxPixels: number): Promise<ImageInput> {
  const declared = request.headers.get('Content-Type')?.split(';')[0].trim().toLowerCase() || null;
  return imageInput(new Uint8Array(await request.arrayBuffer()), maxPixels, 'body', declared);
}

/** The file part `name` of a form; null when absent. */
export async function filePart(form: FormData, name: string, maxPixels: number): Promise<ImageInput | null> {
  const parts = form.getAll(name);
  if (parts.length === 0) return null;
  if (parts.length > 1) throw new BadRequestError(`Send one "${name}" part.`, { field: name });
  return filePartAt(parts[0], name, maxPixels);
}

export async function filePartAt(part: FormDataEntryValue, field: string, maxPixels: number): Promise<ImageInput> {
  if (typeof part === 'string') throw new BadRequestError(`"${field}" must be a file part (curl: -F ${field}=@photo.jpg).`, { field });
  return imageInput(new Uint8Array(await part.arrayBuffer()), maxPixels, field, part.type || null);
}

/** Parses a multipart body; a malformed one is a 400, not a 500. */
export async function formData(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch (cause) {
    throw new BadRequestError('The multipart/form-data body cannot be parsed.', { cause });
  }
}
