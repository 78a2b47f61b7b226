/**
 * What projections and translations read of a stored delivery: the facts of
 * `WebhookReceived` without the raw bytes kept for audit.
 */
import type { JsonObject } from './json';
import type { Provider } from './webhook-received';

export interface WebhookFacts {
  readonly provider: Provider;
  readonly source: string;
  readonly providerEventType: string;
  readonly tenantId: string | null;
  readonly entity: {
    readonly fqdn: string | null;
    readonly id: string | null;
    readonly sequence: string | null;
  };
  readonly receivedAt: string;
  /**
   * No `understood`: the stored flag says what the intake knew when it recorded
   * the delivery. Each projection decides at fold time whether it can read it,
   * so a translation fix plus a rebuild projects deliveries once not understood.
   */
  readonly payload: JsonObject;
}
