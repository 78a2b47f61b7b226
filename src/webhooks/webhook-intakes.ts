import type { WebhooksConfig } from '../config/app-config';
import type { Provider } from '../ledger/webhook-received';
import type { AcceptDelivery } from '../providers/provider-intake';
import { PROVIDER_MODULES } from '../providers/providers';

export type WebhookIntakes = Readonly<Record<Provider, AcceptDelivery>>;

/** Built once at boot: keys are parsed and cached, never per request. */
export function createWebhookIntakes(config: WebhooksConfig): WebhookIntakes {
  return {
    wix: PROVIDER_MODULES.wix.createIntake(config.wix),
    talkable: PROVIDER_MODULES.talkable.createIntake(config.talkable),
    growsurf: PROVIDER_MODULES.growsurf.createIntake(config.growsurf),
    refir: PROVIDER_MODULES.refir.createIntake(config.refir),
    standard: PROVIDER_MODULES.standard.createIntake(config.standard),
  };
}
