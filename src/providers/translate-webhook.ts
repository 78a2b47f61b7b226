/** One translation per provider; an event nobody understands is reported, never thrown. */
import type { WebhookFacts } from '../ledger/webhook-facts';
import { notUnderstood, type Translation, type TranslationContext } from '../ledger/translation';
import { translateGenericReferral } from './shared/generic-referral-translate';
import { translateGrowsurf } from './growsurf/growsurf-translate';
import { translateTalkable } from './talkable/talkable-translate';
import { translateWixReferrals, WIX_REFERRAL_FQDNS } from './wix/wix-translate';

export function translateWebhook(webhook: WebhookFacts, context: TranslationContext): Translation {
  if (!webhook.understood) return notUnderstood('recorded with understood: false');
  switch (webhook.provider) {
    case 'growsurf':
      return translateGrowsurf(webhook, context);
    case 'talkable':
      return translateTalkable(webhook, context);
    case 'wix':
      return isWixReferral(webhook) ? translateWixReferrals(webhook, context) : { kind: 'ignored' };
    case 'refir':
    case 'standard':
      return translateGenericReferral(webhook, context);
    default:
      return notUnderstood(`unknown provider ${String(webhook.provider satisfies never)}`);
  }
}

/** Wix Reviews and other apps' events belong to other projections. */
function isWixReferral(webhook: WebhookFacts): boolean {
  const fqdn = webhook.entity.fqdn;
  if (fqdn !== null) return WIX_REFERRAL_FQDNS.includes(fqdn);
  return webhook.providerEventType.startsWith('wix.loyalty.referral.');
}
