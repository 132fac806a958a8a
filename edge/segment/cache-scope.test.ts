import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.ts';
import { cacheScope, parseCacheOrganisations } from './cache-scope.ts';

const isTenant = (id: string) => /^[A-Za-z0-9_-]{1,64}$/.test(id);

describe('cache scope', () => {
  it('is the tenant by default, the organisation when the operator lists the tenant in one', () => {
    const orgs = parseCacheOrganisations(' acme=acme-dev, acme-prod ;globex=gx;', isTenant);
    expect([...orgs]).toEqual([
      ['acme-dev', 'acme'],
      ['acme-prod', 'acme'],
      ['gx', 'globex'],
    ]);
    expect(cacheScope('acme-dev', orgs)).toBe(cacheScope('acme-prod', orgs));
    expect(cacheScope('gx', orgs)).not.toBe(cacheScope('acme-dev', orgs));
    expect(cacheScope('other', orgs)).toBe('tenant:other');
    // A tenant named like an organisation still gets its own scope.
    expect(cacheScope('acme', orgs)).not.toBe(cacheScope('acme-dev', orgs));
  });

  it('refuses a malformed setting, naming the entry', () => {
    expect(() => parseCacheOrganisations('acme', isTenant)).toThrow(/"acme" is not organisation=tenant/);
    expect(() => parseCacheOrganisations('acme=a/b', isTenant)).toThrow(/"a\/b" in "acme=a\/b" is not a tenant id/);
    expect(() => parseCacheOrganisations('acme=a;globex=a', isTenant)).toThrow(/tenant "a" is in two organisations/);
    expect(() => configFromEnv({ REFSEG_GPU_NODES: 'http://a', REFSEG_GPU_SECRET: 's', REFSEG_CACHE_ORGANISATIONS: 'acme=' })).toThrow(/REFSEG_CACHE_ORGANISATIONS/);
    expect(configFromEnv({ REFSEG_GPU_NODES: 'http://a', REFSEG_GPU_SECRET: 's' }).cacheOrganisations.size).toBe(0);
  });
});
