import { objectAt, textAt } from '../../ledger/json';
import {
  IGNORED,
  notUnderstood,
  type Translation,
  type TranslationContext,
} from '../../ledger/translation';
import type { WebhookFacts } from '../../ledger/webhook-facts';
import type { ProviderModule } from '../provider-module';
import { isKnownWixEvent, isWixReviewRequestEvent } from './wix-events';
import { translateWixReferrals, WIX_REFERRAL_FQDNS } from './wix-translate';
import { createWixIntake, readWixPayload } from './wix-intake';

export const wixProvider: ProviderModule<'wix'> = {
  createIntake: createWixIntake,
  translate: translateWix,
  readPayload: (delivery) => readWixPayload(delivery.body),
};

/**
 * Review requests belong to their own projection; a referral entity's event is
 * read when its slug is one Wix documents for it; any other Wix event is read
 * by no projection, and the ledger reports it.
 */
function translateWix(webhook: WebhookFacts, context: TranslationContext): Translation {
  if (isWixReviewRequestEvent(webhook.entity.fqdn, webhook.providerEventType)) return IGNORED;
  const type = webhook.providerEventType;
  if (!isWixReferral(webhook)) return notUnderstood(`Wix ${type} is read by no projection`);
  const event = objectAt(webhook.payload, 'data');
  const fqdn = textAt(event, 'entityFqdn') ?? webhook.entity.fqdn;
  if (!isKnownWixEvent(type, fqdn, textAt(event, 'slug'))) {
    return notUnderstood(`Wix ${type} is not a referral event the ledger reads`);
  }
  return translateWixReferrals(webhook, context);
}

function isWixReferral(webhook: WebhookFacts): boolean {
  const fqdn = webhook.entity.fqdn;
  if (fqdn !== null) return WIX_REFERRAL_FQDNS.includes(fqdn);
  return webhook.providerEventType.startsWith('wix.loyalty.referral.');
}
