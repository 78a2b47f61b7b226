/**
 * What one provider folder offers the rest of the service: the intake built
 * once from its configuration, and the translation of its stored deliveries.
 */
import type { WebhooksConfig } from '../config/app-config';
import type { Translate } from '../ledger/translation';
import type { Provider } from '../ledger/webhook-received';
import type { AcceptDelivery } from './provider-intake';

export interface ProviderModule<P extends Provider> {
  /** Keys are parsed and cached here, at boot, never per request. */
  readonly createIntake: (config: WebhooksConfig[P]) => AcceptDelivery;
  readonly translate: Translate;
}
