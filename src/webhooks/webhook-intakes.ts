import type { WebhooksConfig } from '../config/app-config';
import type { Provider } from '../ledger/webhook-received';
import { createGrowsurfIntake } from '../providers/growsurf/growsurf-intake';
import type { AcceptDelivery } from '../providers/provider-intake';
import { createRefirIntake } from '../providers/refir/refir-intake';
import { createStandardWebhooksIntake } from '../providers/standard/standard-intake';
import { createTalkableIntake } from '../providers/talkable/talkable-intake';
import { createWixIntake } from '../providers/wix/wix-intake';

export type WebhookIntakes = Readonly<Record<Provider, AcceptDelivery>>;

/** Built once at boot: keys are parsed and cached, never per request. */
export function createWebhookIntakes(config: WebhooksConfig): WebhookIntakes {
  return {
    wix: createWixIntake(config.wix),
    talkable: createTalkableIntake(config.talkable),
    growsurf: createGrowsurfIntake(config.growsurf),
    refir: createRefirIntake(config.refir),
    standard: createStandardWebhooksIntake(config.standard),
  };
}
