// The operator's admin key comes from configuration (environment / Worker secret) and may only
// create and revoke API keys. It is compared in constant time: both sides are hashed first, so
// the comparison always covers 32 bytes whatever the lengths, and the loop never exits early.
import { InternalError } from '../../shared/errors.ts';
import { sha256 } from '../../shared/encoding/sha256.ts';

/** Shorter admin keys are refused at startup: the key guards every tenant. */
export const MIN_ADMIN_KEY_LENGTH = 32;

export class AdminKeyConfigError extends InternalError {}

/** The configured admin key, or undefined when admin access is disabled (variable unset or empty). */
export function parseAdminKey(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length < MIN_ADMIN_KEY_LENGTH || /\s/.test(value)) {
    const what = /\s/.test(value) ? 'contains whitespace' : `has ${value.length} characters`;
    throw new AdminKeyConfigError(
      `REFSEG_ADMIN_KEY ${what}; the admin key must be at least ${MIN_ADMIN_KEY_LENGTH} characters without whitespace (generate one: openssl rand -hex 24).`,
    );
  }
  return value;
}

export async function adminKeyMatches(presented: string, configured: string | undefined): Promise<boolean> {
  if (configured === undefined) return false;
  const utf8 = new TextEncoder();
  const [a, b] = await Promise.all([sha256(utf8.encode(presented)), sha256(utf8.encode(configured))]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
