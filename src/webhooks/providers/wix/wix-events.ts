/**
 * The Wix events we project. Referral Program FQDNs beyond referral_event are
 * unconfirmed (providers.md §1.7, §1.10), so events are recognised by
 * entityFqdn + slug as well as by the eventType string.
 */
const KNOWN: Readonly<Record<string, readonly string[]>> = {
  'wix.loyalty.referral.v1.referral_event': ['created'],
  'wix.loyalty.referral.v1.referred_friend': ['created', 'updated', 'deleted'],
  'wix.loyalty.referral.v1.referring_customer': ['created', 'deleted', 'updated'],
  'wix.loyalty.referral.v1.program': ['updated'],
  'wix.reviews.v2.review_request': ['created', 'updated', 'deleted'],
};

export function isKnownWixEvent(
  eventType: string,
  entityFqdn: string | null,
  slug: string | null,
): boolean {
  if (entityFqdn !== null && slug !== null && KNOWN[entityFqdn]?.includes(slug)) return true;
  return Object.entries(KNOWN).some(([fqdn, slugs]) =>
    slugs.some((s) => eventType === `${fqdn}_${s}`),
  );
}
