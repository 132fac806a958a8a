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

/**
 * Object members a JSON text may hold. Parsing costs most per distinct member name (60 000 names
 * in 0.65 MB took 0.1–0.4 s to parse on this thread); no valid request comes near this (a bank
 * file of 8000 references has about 16 000).
 */
export const MAX_JSON_MEMBERS = 50_000;

/**
 * Object members of a JSON text (its `:` outside strings), counted without parsing; stops past
 * `max`. Jumps with indexOf (native) from quote to quote, so long strings (base64 vectors) cost
 * next to nothing.
 */
export function countJsonMembers(text: string, max: number): number {
  let members = 0;
  let colon = text.indexOf(':');
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('"', i);
    const stop = open === -1 ? text.length : open;
    while (colon !== -1 && colon < stop) {
      if (++members > max) return members;
      colon = text.indexOf(':', colon + 1);
    }
    if (open === -1) break;
    i = closingQuote(text, open) + 1;
    if (i === 0) break;
    if (colon !== -1 && colon < i) colon = text.indexOf(':', i);
  }
  return members;
}

/** Index of the quote closing the string opened at `open` (-1 when it is never closed). */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

/** JSON text → value; `field` names where the text came from (`body`, `options`). */
export function parseJson(text: string, field: string): unknown {
  if (countJsonMembers(text, MAX_JSON_MEMBERS) > MAX_JSON_MEMBERS) {
    throw new BadRequestError(`${field} has more than ${MAX_JSON_MEMBERS} object members; no request needs that many.`, { field, extra: { maxMembers: MAX_JSON_MEMBERS } }, 'json-too-complex', 'JSON too complex');
  }
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
