import type { NamedSecret } from '../../config/app-config';

/**
 * Which configured secrets may vouch for a tenant (a Talkable site, a GrowSurf
 * campaign): the ones configured for exactly that id; only when there are none,
 * the catch-all `*`. A tenant with its own secret is never accepted under the
 * catch-all, so whoever holds the `*` secret cannot write into that tenant.
 * Several entries with one id are all tried (secret rotation).
 * With no tenant named, every configured secret is a candidate.
 */
export function secretsForTenant(
  secrets: readonly NamedSecret[],
  tenantId: string | null,
): readonly NamedSecret[] {
  if (tenantId === null) return secrets;
  const exact = secrets.filter(({ id }) => id === tenantId);
  return exact.length > 0 ? exact : secrets.filter(({ id }) => id === '*');
}
