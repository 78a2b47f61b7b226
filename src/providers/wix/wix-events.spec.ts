import type { JsonObject } from '../../ledger/json';
import { readWixDomainEvent } from './wix-domain-event';
import { isKnownWixEvent, isUnderstoodWixEvent } from './wix-events';

const event = (fields: JsonObject) => readWixDomainEvent({ id: 'evt-1', ...fields });
const entity = { id: 'e-1' };

describe('Wix events we understand', () => {
  it.each([
    ['wix.loyalty.referral.v1.referral_event', 'created'],
    ['wix.loyalty.referral.v1.referred_friend', 'created'],
    ['wix.loyalty.referral.v1.referred_friend', 'updated'],
    ['wix.loyalty.referral.v1.referred_friend', 'deleted'],
    ['wix.loyalty.referral.v1.referring_customer', 'created'],
    ['wix.loyalty.referral.v1.referring_customer', 'deleted'],
    ['wix.loyalty.referral.v1.program', 'updated'],
    ['wix.reviews.v2.review_request', 'created'],
    ['wix.reviews.v2.review_request', 'updated'],
    ['wix.reviews.v2.review_request', 'deleted'],
  ])('knows %s %s by entityFqdn + slug, whatever the unverified eventType says', (fqdn, slug) => {
    expect(isKnownWixEvent('wix.referral.something_else', fqdn, slug)).toBe(true);
  });

  it('knows an event by its eventType when the domain event names no entityFqdn', () => {
    expect(isKnownWixEvent('wix.reviews.v2.review_request_deleted', null, null)).toBe(true);
  });

  it.each([
    ['wix.stores.v1.product_created', 'wix.stores.v1.product', 'created'],
    [
      'wix.loyalty.referral.v1.referral_event_updated',
      'wix.loyalty.referral.v1.referral_event',
      'updated',
    ],
  ])('does not know %s', (eventType, fqdn, slug) => {
    expect(isKnownWixEvent(eventType, fqdn, slug)).toBe(false);
  });

  it('marks a known event whose body is missing as not understood', () => {
    const missing = event({ entityFqdn: 'wix.reviews.v2.review_request', slug: 'created' });
    expect(isUnderstoodWixEvent('wix.reviews.v2.review_request_created', missing)).toBe(false);
    const empty = event({
      entityFqdn: 'wix.reviews.v2.review_request',
      slug: 'created',
      createdEvent: {},
    });
    expect(isUnderstoodWixEvent('wix.reviews.v2.review_request_created', empty)).toBe(false);
  });

  it('understands a deleted event without its entity (entityId says what went)', () => {
    const deleted = event({
      entityFqdn: 'wix.loyalty.referral.v1.referred_friend',
      slug: 'deleted',
      entityId: 'friend-1',
      deletedEvent: {},
    });
    expect(isUnderstoodWixEvent('x', deleted)).toBe(true);
  });

  it('understands a known event that carries its entity', () => {
    const created = event({
      entityFqdn: 'wix.loyalty.referral.v1.referral_event',
      slug: 'created',
      createdEvent: { entity },
    });
    expect(isUnderstoodWixEvent('x', created)).toBe(true);
  });
});
