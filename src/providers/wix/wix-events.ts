/**
 * The Wix events the projections read. Only the Reviews strings and the
 * referral_event FQDN are confirmed; the other Referral Program FQDNs and every
 * referral `eventType` string follow the `{fqdn}_{slug}` pattern of Reviews but
 * are unverified (docs/providers.md#wix-event-types), so an event is recognised by
 * entityFqdn + slug as well as by eventType.
 */
import type { WixDomainEvent } from './wix-domain-event';

export const WIX_REVIEW_REQUEST_FQDN = 'wix.reviews.v2.review_request';

/** A Wix Reviews review-request event, by its entity FQDN or, when none is stored, its event type. */
export function isWixReviewRequestEvent(fqdn: string | null, eventType: string): boolean {
  return fqdn === WIX_REVIEW_REQUEST_FQDN || eventType.startsWith(`${WIX_REVIEW_REQUEST_FQDN}_`);
}

const KNOWN: Readonly<Record<string, readonly string[]>> = {
  'wix.loyalty.referral.v1.referral_event': ['created'],
  'wix.loyalty.referral.v1.referred_friend': ['created', 'updated', 'deleted'],
  // No "updated" webhook was found for referring customers; if Wix has one, it means what it says.
  'wix.loyalty.referral.v1.referring_customer': ['created', 'updated', 'deleted'],
  'wix.loyalty.referral.v1.program': ['updated'],
  'wix.reviews.v2.review_request': ['created', 'updated', 'deleted'],
};

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(
  Object.entries(KNOWN).flatMap(([fqdn, slugs]) => slugs.map((slug) => `${fqdn}_${slug}`)),
);

export function isKnownWixEvent(
  eventType: string,
  entityFqdn: string | null,
  slug: string | null,
): boolean {
  if (entityFqdn !== null && slug !== null && KNOWN[entityFqdn]?.includes(slug) === true) {
    return true;
  }
  return KNOWN_EVENT_TYPES.has(eventType);
}

/**
 * A known event whose body is missing (no `createdEvent.entity`, say) is still
 * recorded, but marked not understood: a projection could only guess at it.
 * A deleted event may omit its entity (then `entityId` says what went).
 */
export function isUnderstoodWixEvent(eventType: string, event: WixDomainEvent): boolean {
  if (!isKnownWixEvent(eventType, event.entityFqdn, event.slug)) return false;
  if (event.body === null) return false;
  return event.body.kind === 'deletedEvent' || event.body.entity !== null;
}
