/**
 * One translation per provider; an event nobody understands is reported, never
 * thrown. Whether an event is read is decided here, at fold time, from its type
 * and shape: never from the `understood` the intake stored with it.
 */
import type { Translation, TranslationContext } from '../ledger/translation';
import type { WebhookFacts } from '../ledger/webhook-facts';
import { PROVIDER_MODULES } from './providers';

export function translateWebhook(webhook: WebhookFacts, context: TranslationContext): Translation {
  // Stored events reach here narrowed to a known provider (readWebhookEvent).
  return PROVIDER_MODULES[webhook.provider].translate(webhook, context);
}
