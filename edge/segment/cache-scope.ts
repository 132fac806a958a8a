// Whose candidate sets a request may reuse. A cached set answers `cache: "hit"` and comes back
// fast, so a cache shared by all tenants tells tenant B that someone sent the exact bytes B just
// sent (a membership oracle on images). By default each tenant has its own cache; the operator can
// let the tenants of one organisation share theirs (REFSEG_CACHE_ORGANISATIONS): fewer gpu-node
// calls, at the price that those tenants can learn which images the others sent.

/** Storage scope of a tenant's candidate cache: its organisation's when it has one, else its own. */
export function cacheScope(tenant: string, organisations: ReadonlyMap<string, string>): string {
  const organisation = organisations.get(tenant);
  return organisation === undefined ? `tenant:${tenant}` : `org:${organisation}`;
}

/**
 * `acme=acme-dev,acme-prod;globex=gx1,gx2` → tenant → organisation. Throws a message naming the
 * faulty entry: a tenant in two organisations, an empty or malformed name.
 */
export function parseCacheOrganisations(text: string, isTenantId: (id: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of text.split(';').map((e) => e.trim()).filter((e) => e !== '')) {
    const match = /^([A-Za-z0-9_-]{1,64})=(.+)$/.exec(entry);
    if (!match) throw new Error(`"${entry}" is not organisation=tenant,tenant,… (organisation: 1–64 letters, digits, _ or -)`);
    const [, organisation, list] = match;
    for (const tenant of list.split(',').map((t) => t.trim())) {
      if (!isTenantId(tenant)) throw new Error(`"${tenant}" in "${entry}" is not a tenant id`);
      const other = out.get(tenant);
      if (other !== undefined && other !== organisation) throw new Error(`tenant "${tenant}" is in two organisations ("${other}" and "${organisation}")`);
      out.set(tenant, organisation);
    }
  }
  return out;
}
