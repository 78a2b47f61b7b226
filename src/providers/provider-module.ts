/**
 * What one provider folder offers the rest of the service: the intake built
 * once from its configuration, the translation of its stored deliveries, and
 * the reading of a stored delivery's payload back from its body.
 */
import type { WebhooksConfig } from '../config/app-config';
import type { Translate } from '../ledger/translation';
import type { JsonObject } from '../ledger/json';
import type { Provider, StoredDelivery, Verification } from '../ledger/webhook-received';
import type { AcceptDelivery } from './provider-intake';

export interface ProviderModule<P extends Provider> {
  /** Keys are parsed and cached here, at boot, never per request. */
  readonly createIntake: (config: WebhooksConfig[P]) => AcceptDelivery;
  readonly translate: Translate;
  /**
   * The payload of a stored delivery, read back from its body: the log keeps
   * the body once and not the payload parsed from it (src/providers/stored-webhook.ts).
   * Throws a WebhookRejection when the body no longer parses.
   */
  readonly readPayload: (delivery: StoredDelivery, verification: Verification) => JsonObject;
}
