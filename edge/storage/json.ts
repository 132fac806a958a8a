// JSON records inside byte values. Stored records are re-validated on read: a record written by
// an older version of the code, or damaged, must fail loudly rather than flow on half-typed.
import type { ZodType } from 'zod';
import { StorageError } from './contract.ts';

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJson(value: unknown): Uint8Array {
  return utf8Encoder.encode(JSON.stringify(value));
}

/** `what` names the record in the error (`bank meta t/a/b`). */
export function decodeJson<T>(bytes: Uint8Array, schema: ZodType<T>, what: string): T {
  let data: unknown;
  try {
    data = JSON.parse(utf8Decoder.decode(bytes));
  } catch (cause) {
    throw new StorageError(`Stored ${what} is not valid JSON.`, { cause });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new StorageError(`Stored ${what} does not match its schema: ${parsed.error.message}`, { cause: parsed.error });
  return parsed.data;
}
