// Bodies above the limit are refused with 413 before they are read: at once from Content-Length,
// else (chunked uploads) as soon as the running count passes the limit (Hono's bodyLimit).
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../../shared/errors.ts';
import type { EdgeEnv } from '../context.ts';

export function limitBody(maxBytes: number): MiddlewareHandler<EdgeEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}
