import { readWebhookEventType, webhookEventType } from './webhook-received';

describe('stored webhook event types', () => {
  it.each([
    [
      'wix',
      'wix.loyalty.referral.v1.referral_event_created',
      'wix.loyalty.referral.v1.referral_event_created',
    ],
    ['wix', 'wix.reviews.v2.review_request_created', 'wix.reviews.v2.review_request_created'],
    ['growsurf', 'PARTICIPANT_REACHED_A_GOAL', 'growsurf.PARTICIPANT_REACHED_A_GOAL'],
    ['talkable', 'referral_web_hook', 'talkable.referral_web_hook'],
    ['standard', 'referral.created', 'standard.referral.created'],
  ] as const)('names a %s %s event with the provider once: %s', (provider, type, stored) => {
    expect(webhookEventType(provider, type)).toBe(stored);
  });

  it.each([
    [
      'wix.wix.loyalty.referral.v1.referral_event_created',
      'wix.loyalty.referral.v1.referral_event_created',
    ],
    ['wix.wix.reviews.v2.review_request_deleted', 'wix.reviews.v2.review_request_deleted'],
    [
      'wix.loyalty.referral.v1.referral_event_created',
      'wix.loyalty.referral.v1.referral_event_created',
    ],
    ['growsurf.PARTICIPANT_REACHED_A_GOAL', 'growsurf.PARTICIPANT_REACHED_A_GOAL'],
    ['talkable.unsubscribe_web_hook', 'talkable.unsubscribe_web_hook'],
  ])('reads the stored type %s, as older versions wrote it, as %s', (stored, read) => {
    expect(readWebhookEventType(stored)).toBe(read);
  });
});
