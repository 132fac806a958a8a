// `Authorization: Bearer <token>` → who is calling. Runs before the body is read; every failure
// is the same 401 so that a caller learns nothing about which keys exist.
import { ForbiddenError, UnauthorizedError } from '../../shared/errors.ts';
import { adminKeyMatches } from './admin.ts';
import type { ApiKeyStore, KeyLimits } from './key-store.ts';

export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenant: string; keyId: string; limits: KeyLimits };

export interface AuthConfig {
  keys: ApiKeyStore;
  /** From parseAdminKey; undefined disables admin access. */
  adminKey: string | undefined;
}

// RFC 6750 §2.1: the scheme is case-insensitive, the token is token68.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The bearer token of an Authorization header value. */
export function bearerToken(authorization: string | null | undefined): string {
  const match = authorization ? BEARER.exec(authorization) : null;
  if (!match) throw new UnauthorizedError();
  return match[1];
}

export async function authenticate(authorization: string | null | undefined, config: AuthConfig): Promise<Principal> {
  const token = bearerToken(authorization);
  if (await adminKeyMatches(token, config.adminKey)) return { kind: 'admin' };
  const key = await config.keys.lookup(token);
  if (key === null) throw new UnauthorizedError('The bearer token is not a valid API key.');
  return { kind: 'tenant', tenant: key.tenant, keyId: key.id, limits: key.limits ?? {} };
}

/** The tenant a principal acts for; the admin key manages keys and owns no banks. */
export function requireTenant(principal: Principal): string {
  if (principal.kind !== 'tenant') throw new ForbiddenError('The admin key manages API keys only; use a tenant API key.');
  return principal.tenant;
}

export function requireAdmin(principal: Principal): void {
  if (principal.kind !== 'admin') throw new ForbiddenError('Only the admin key may do this.');
}
