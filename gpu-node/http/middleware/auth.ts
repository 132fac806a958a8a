// Bearer shared secret between the edge and the node, checked from the headers alone (before any
// body byte is read). Both sides are hashed first, so the comparison takes the same time whatever
// the token's length or content.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import { UnauthorizedError } from '../../../shared/errors.ts';
import type { NodeEnv } from '../env.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function bearerAuth(secret: string) {
  if (secret.length === 0) throw new TypeError('the shared secret must not be empty');
  const expected = digest(secret);
  return createMiddleware<NodeEnv>(async (c, next) => {
    const header = c.req.header('Authorization') ?? '';
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    // Compare even when the header is missing, so a missing and a wrong token cost the same.
    const ok = timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
    if (!ok) throw new UnauthorizedError(match === null ? undefined : 'The bearer token is not the node\'s shared secret.');
    await next();
  });
}
