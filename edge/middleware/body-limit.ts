// Bodies above the route's limit are refused with 413 before they are read: at once from
// Content-Length, else (chunked uploads) as soon as the running count passes the limit (Hono's
// bodyLimit). The limit depends on what the body is: a JSON control body (bank creation, classes,
// keys, segment by imageId) is small, so a multi-megabyte JSON document never reaches the parser;
// bank files and image uploads have their own, larger limits.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../../shared/errors.ts';
import type { EdgeConfig } from '../config.ts';
import type { EdgeEnv } from '../context.ts';

/** What a route's body is, for its size limit (RouteSpec.body.limit). */
export type BodyKind = 'upload' | 'bankFile';

/** The limit for one request: JSON bodies take the JSON limit unless the route takes bank files. */
export function bodyLimitFor(kind: BodyKind, contentType: string | undefined, config: Pick<EdgeConfig, 'maxBodyBytes' | 'maxJsonBytes' | 'maxBankFileBytes'>): number {
  if (kind === 'bankFile') return config.maxBankFileBytes;
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type === 'application/json' ? Math.min(config.maxJsonBytes, config.maxBodyBytes) : config.maxBodyBytes;
}

export function limitBody(limitOf: (c: Context<EdgeEnv>) => number): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const maxBytes = limitOf(c);
    return bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new PayloadTooLargeError(maxBytes);
      },
    })(c, next);
  };
}
