import { afterAll, describe, expect, it } from 'vitest';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../shared/errors.ts';
import { sha256Hex } from '../../shared/encoding/sha256.ts';
import type { Storage } from '../storage/contract.ts';
import { memoryHarness, sqliteHarness } from '../storage/harnesses.node.ts';
import { adminKeyMatches, AdminKeyConfigError, parseAdminKey } from './admin.ts';
import { apiKeyHint, generateApiKeySecret, hashApiKey, isApiKeyFormat } from './api-key.ts';
import { authenticate, bearerToken, requireAdmin, requireTenant } from './authenticate.ts';
import { createApiKeyStore } from './key-store.ts';

const ADMIN = 'admin-0123456789abcdef0123456789abcdef';

describe('API key secrets', () => {
  it('are rsk_ + 64 hex digits, distinct, hashed with SHA-256 of their UTF-8 bytes', async () => {
    const a = generateApiKeySecret();
    const b = generateApiKeySecret();
    expect(a).toMatch(/^rsk_[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
    expect(isApiKeyFormat(a)).toBe(true);
    expect(isApiKeyFormat(a.toUpperCase())).toBe(false);
    expect(isApiKeyFormat(a + '0')).toBe(false);
    // SHA-256("abc"), FIPS 180-2 test vector.
    expect(await hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(apiKeyHint('rsk_00ff1a2b')).toBe('rsk_…1a2b');
  });
});

describe('admin key', () => {
  it('matches only the configured key, whatever the lengths', async () => {
    expect(await adminKeyMatches(ADMIN, ADMIN)).toBe(true);
    expect(await adminKeyMatches(ADMIN.slice(0, -1) + 'X', ADMIN)).toBe(false);
    expect(await adminKeyMatches(ADMIN + 'x', ADMIN)).toBe(false);
    expect(await adminKeyMatches('', ADMIN)).toBe(false);
    expect(await adminKeyMatches(ADMIN, undefined)).toBe(false);
  });

  it('is disabled when unset and refused at startup when weak', () => {
    expect(parseAdminKey(undefined)).toBeUndefined();
    expect(parseAdminKey('')).toBeUndefined();
    expect(parseAdminKey(ADMIN)).toBe(ADMIN);
    expect(() => parseAdminKey('short')).toThrow(AdminKeyConfigError);
    expect(() => parseAdminKey('x'.repeat(20) + ' ' + 'y'.repeat(20))).toThrow(AdminKeyConfigError);
  });
});

describe('bearer token parsing', () => {
  it('accepts the Bearer scheme in any case and refuses anything else with 401', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc.def~')).toBe('abc.def~');
    for (const bad of [undefined, null, '', 'Basic abc', 'Bearer', 'Bearer a b', 'Bearerabc']) {
      expect(() => bearerToken(bad)).toThrow(UnauthorizedError);
    }
    try {
      bearerToken(null);
    } catch (err) {
      expect((err as UnauthorizedError).headers()).toEqual({ 'WWW-Authenticate': 'Bearer' });
      expect((err as UnauthorizedError).status).toBe(401);
    }
  });
});

const sqlite = sqliteHarness();
afterAll(() => sqlite.dispose());

for (const harness of [memoryHarness(), sqlite]) {
  describe(`API key store on ${harness.name}`, () => {
    const withStore = (body: (storage: Storage, keys: ReturnType<typeof createApiKeyStore>) => Promise<void>) => async () => {
      const storage = await harness.create();
      let t = Date.UTC(2025, 0, 1);
      try {
        await body(storage, createApiKeyStore(storage.kv, { now: () => new Date((t += 1000)) }));
      } finally {
        await storage.close();
      }
    };

    it(
      'stores only the hash of a secret and finds the key by it',
      withStore(async (storage, keys) => {
        const { info, secret } = await keys.create({ tenant: 'acme', label: 'ci' });
        expect(info).toMatchObject({ tenant: 'acme', label: 'ci', hint: apiKeyHint(secret), createdAt: '2025-01-01T00:00:01.000Z' });
        expect(info.id).toMatch(/^key_[0-9a-f]{16}$/);
        const stored = await storage.kv.list('');
        const dump = stored.map((e) => e.key + new TextDecoder().decode(e.value)).join('\n');
        expect(dump).not.toContain(secret);
        expect(dump).not.toContain(secret.slice(4));
        expect(stored.map((e) => e.key)).toContain(`auth/hash/${await sha256Hex(new TextEncoder().encode(secret))}`);
        expect(await keys.lookup(secret)).toEqual(info);
        expect(await keys.lookup(generateApiKeySecret())).toBeNull();
        expect(await keys.lookup('not a key')).toBeNull();
      }),
    );

    it(
      'lists a tenant’s keys without secrets and never another tenant’s',
      withStore(async (_storage, keys) => {
        const a1 = await keys.create({ tenant: 'a' });
        const a2 = await keys.create({ tenant: 'a', label: 'second' });
        const b1 = await keys.create({ tenant: 'b' });
        // 'a' is a prefix of 'ab': the listing must not leak across it.
        await keys.create({ tenant: 'ab' });
        expect(await keys.list('a')).toEqual([a1.info, a2.info]);
        expect(await keys.list('b')).toEqual([b1.info]);
        expect(await keys.list('nobody')).toEqual([]);
        expect(JSON.stringify(await keys.list('a'))).not.toContain(a1.secret.slice(4, 20));
      }),
    );

    it(
      'revokes by id: the secret stops working and the listing forgets it; a tenant cannot revoke another’s key',
      withStore(async (storage, keys) => {
        const a = await keys.create({ tenant: 'a' });
        const b = await keys.create({ tenant: 'b' });
        expect(await keys.revoke(b.info.id, { tenant: 'a' })).toBe(false);
        expect(await keys.lookup(b.secret)).toEqual(b.info);
        expect(await keys.revoke(a.info.id, { tenant: 'a' })).toBe(true);
        expect(await keys.lookup(a.secret)).toBeNull();
        expect(await keys.list('a')).toEqual([]);
        expect(await keys.revoke(a.info.id)).toBe(false);
        expect(await keys.revoke(b.info.id)).toBe(true);
        expect(await keys.revoke('key_nonsense')).toBe(false);
        expect(await storage.kv.list('auth/')).toEqual([]);
      }),
    );

    it(
      'stores per-key limits with the key: set, read back by lookup and listing, reset, refused when malformed',
      withStore(async (_storage, keys) => {
        const { info, secret } = await keys.create({ tenant: 'acme', limits: { concurrent: 3 } });
        expect(info.limits).toEqual({ concurrent: 3 });
        const set = await keys.setLimits(info.id, { requestsPerMinute: 30, burst: 5 });
        expect(set).toEqual({ ...info, limits: { requestsPerMinute: 30, burst: 5 } });
        expect(await keys.lookup(secret)).toEqual(set);
        expect(await keys.list('acme')).toEqual([set]);
        expect(await keys.setLimits(info.id, {})).toEqual({ id: info.id, tenant: 'acme', hint: info.hint, createdAt: info.createdAt });
        expect((await keys.lookup(secret))?.limits).toBeUndefined();
        expect(await keys.setLimits('key_0000000000000000', { burst: 1 })).toBeNull();
        await expect(keys.setLimits(info.id, { burst: 0 })).rejects.toBeInstanceOf(ValidationError);
        await expect(keys.setLimits(info.id, { perHour: 5 } as never)).rejects.toBeInstanceOf(ValidationError);
      }),
    );
    it(
      'refuses an invalid tenant id',
      withStore(async (_storage, keys) => {
        await expect(keys.create({ tenant: 'a/b' })).rejects.toBeInstanceOf(ValidationError);
        await expect(keys.create({ tenant: '' })).rejects.toBeInstanceOf(ValidationError);
      }),
    );

    it(
      'authenticates tenants and the admin, and rejects everything else with 401',
      withStore(async (_storage, keys) => {
        const config = { keys, adminKey: ADMIN };
        const { info, secret } = await keys.create({ tenant: 'acme' });
        const tenant = await authenticate(`Bearer ${secret}`, config);
        expect(tenant).toEqual({ kind: 'tenant', tenant: 'acme', keyId: info.id, limits: {} });
        expect(requireTenant(tenant)).toBe('acme');
        expect(() => requireAdmin(tenant)).toThrow(ForbiddenError);
        const admin = await authenticate(`Bearer ${ADMIN}`, config);
        expect(admin).toEqual({ kind: 'admin' });
        expect(() => requireTenant(admin)).toThrow(ForbiddenError);
        await expect(authenticate(`Bearer ${ADMIN}`, { keys, adminKey: undefined })).rejects.toBeInstanceOf(UnauthorizedError);
        await expect(authenticate(`Bearer ${generateApiKeySecret()}`, config)).rejects.toBeInstanceOf(UnauthorizedError);
        await expect(authenticate(undefined, config)).rejects.toBeInstanceOf(UnauthorizedError);
        await keys.revoke(info.id);
        await expect(authenticate(`Bearer ${secret}`, config)).rejects.toBeInstanceOf(UnauthorizedError);
      }),
    );
  });
}
