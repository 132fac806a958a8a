// Request parts checked against the route's zod schemas; failures are ValidationErrors whose
// paths name the part (`query.exif`, `options.maxDetections`).
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { BadRequestError, UnsupportedMediaTypeError, ValidationError } from '../../shared/errors.ts';

export function check<T>(schema: ZodType<T>, value: unknown, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error, prefix);
  return parsed.data;
}

export function params<T>(c: Context, schema: ZodType<T>): T {
  return check(schema, c.req.param(), '');
}

export function query<T>(c: Context, schema: ZodType<T>): T {
  return check(schema, c.req.query(), 'query');
}

/** JSON text → value; `field` names where the text came from (`body`, `options`). */
export function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new BadRequestError(`${field} is not valid JSON (${cause instanceof Error ? cause.message : 'parse error'}).`, { field, cause });
  }
}

/** Media type of the request without parameters, lower case; null when absent. */
export function mediaType(c: Context): string | null {
  const header = c.req.header('Content-Type');
  return header ? header.split(';')[0].trim().toLowerCase() : null;
}

/** The JSON body, unchecked (for validators that live elsewhere). */
export async function jsonValue(c: Context): Promise<unknown> {
  const type = mediaType(c);
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(type, ['application/json']);
  return parseJson(await c.req.text(), 'body');
}

export async function jsonBody<T>(c: Context, schema: ZodType<T>): Promise<T> {
  return check(schema, await jsonValue(c));
}
