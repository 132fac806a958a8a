// Reading an upload: the image as the raw body, or as the multipart part `image` next to JSON
// parts (`annotations`, `request`), which may be plain fields or files.
import type { Context } from 'hono';
import type { z } from 'zod';
import { IMAGE_PART } from '../../shared/api/gpu-node.ts';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors.ts';
import type { NodeEnv } from './env.ts';

export interface Upload {
  image: Uint8Array;
  /** Multipart parts other than the image, as text. */
  fields: Map<string, string>;
}

/**
 * Largest JSON part. JSON.parse runs on the thread that answers HTTP, so its cost is bounded
 * here (8 MB parse in tens of ms); the image goes to the pipeline thread unparsed.
 */
export const MAX_JSON_PART_BYTES = 8 * 1024 * 1024;

/** Raw bodies: any image type (the decoder says which formats it takes) or plain bytes. */
const RAW_TYPES = ['image/*', 'application/octet-stream', 'multipart/form-data'];
const rawAccepted = (type: string) => type.startsWith('image/') || type === 'application/octet-stream';

function mediaType(c: Context<NodeEnv>): string | null {
  const header = c.req.header('Content-Type');
  return header === undefined ? null : header.split(';')[0].trim().toLowerCase();
}

function noImage(): BadRequestError {
  return new BadRequestError(`The request has no image: send it as the raw body or as the multipart part "${IMAGE_PART}".`, { field: IMAGE_PART });
}

export async function readUpload(c: Context<NodeEnv>, { multipartOnly = false } = {}): Promise<Upload> {
  const type = mediaType(c);
  if (type !== 'multipart/form-data') {
    if (multipartOnly) throw new UnsupportedMediaTypeError(type, ['multipart/form-data']);
    if (type !== null && !rawAccepted(type)) throw new UnsupportedMediaTypeError(type, RAW_TYPES);
    const image = new Uint8Array(await c.req.arrayBuffer());
    if (image.length === 0) throw noImage();
    return { image, fields: new Map() };
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch (err) {
    throw new BadRequestError('The multipart body cannot be parsed.', { cause: err });
  }
  let image: Uint8Array | undefined;
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries()) {
    if (name === IMAGE_PART) {
      if (image !== undefined) throw new BadRequestError(`Send one "${IMAGE_PART}" part.`, { field: IMAGE_PART });
      image = typeof value === 'string' ? new TextEncoder().encode(value) : new Uint8Array(await value.arrayBuffer());
    } else {
      const size = typeof value === 'string' ? value.length : value.size;
      if (size > MAX_JSON_PART_BYTES) throw new PayloadTooLargeError(MAX_JSON_PART_BYTES, { field: name });
      fields.set(name, typeof value === 'string' ? value : await value.text());
    }
  }
  if (image === undefined || image.length === 0) throw noImage();
  return { image, fields };
}

/** A JSON multipart part, parsed and validated; problems name the part. */
export function jsonPart<S extends z.ZodType>(upload: Upload, part: string, schema: S): z.output<S> {
  const text = upload.fields.get(part);
  if (text === undefined) throw new BadRequestError(`The multipart part "${part}" is missing.`, { field: part });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`The part "${part}" is not valid JSON.`, { field: part, cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, part);
  return parsed.data;
}

/** Query parameters, validated; problems are reported under `query`. */
export function query<S extends z.ZodType>(c: Context<NodeEnv>, schema: S): z.output<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, 'query');
  return parsed.data;
}
