// Request bodies above the limit are refused with 413: at once from Content-Length, or as soon as
// a chunked body passes the limit (hono's bodyLimit), never after reading all of it.
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../../../shared/errors.ts';

export function limitBody(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(maxBytes);
    },
  });
}
