/**
 * One translation per provider; an event nobody understands is reported, never
 * thrown. Whether an event is read is decided here, at fold time, from its type
 * and shape: never from the `understood` the intake stored with it.
 */
import { objectAt, textAt } from '../ledger/json';
import {
  IGNORED,
  notUnderstood,
  type Translation,
  type TranslationContext,
} from '../ledger/translation';
import type { WebhookFacts } from '../ledger/webhook-facts';
import { translateGenericReferral } from './shared/generic-referral-translate';
import { translateGrowsurf } from './growsurf/growsurf-translate';
import { isStandardReferral } from './standard/standard-referral';
import { translateTalkable } from './talkable/talkable-translate';
import { isKnownWixEvent, isWixReviewRequestEvent } from './wix/wix-events';
import { translateWixReferrals, WIX_REFERRAL_FQDNS } from './wix/wix-translate';

export function translateWebhook(webhook: WebhookFacts, context: TranslationContext): Translation {
  switch (webhook.provider) {
    case 'growsurf':
      return translateGrowsurf(webhook, context);
    case 'talkable':
      return translateTalkable(webhook, context);
    case 'wix':
      return translateWix(webhook, context);
    case 'standard':
      return isStandardReferral(webhook.providerEventType)
        ? translateGenericReferral(webhook, context)
        : notUnderstood(`Standard Webhooks ${webhook.providerEventType} is not a referral event`);
    case 'refir':
      return translateGenericReferral(webhook, context);
    default:
      return notUnderstood(`unknown provider ${String(webhook.provider satisfies never)}`);
  }
}

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
