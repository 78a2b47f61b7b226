/**
 * Narrows a stored event back into the `WebhookReceived` facts projections use.
 * The log is treated as untrusted JSON: a shape that does not fit is reported,
 * never thrown.
 */
import type { RecordedEvent } from '../event-store/event-store.port';
import type { Cause } from '../ledger/reward-ledger';
import { isProvider, readWebhookEventType } from '../ledger/webhook-received';
import { objectAt, textAt } from '../ledger/json';
import { storedPayload } from '../providers/stored-webhook';
import type { ProjectedEvent } from './projection';

export function causeOf(event: RecordedEvent, receivedAt: string): Cause {
  return {
    eventId: event.id,
    position: event.position,
    streamId: event.streamId,
    providerType: readWebhookEventType(event.type),
    receivedAt,
  };
}

/** The projected form of a stored delivery, or why it has none. */
export function readWebhookEvent(
  event: RecordedEvent,
): ProjectedEvent | { readonly error: string } {
  const data = event.data;
  const provider = isProvider(data.provider) ? data.provider : undefined;
  const payload = storedPayload(data);
  const providerEventType = textAt(data, 'providerEventType');
  if (provider === undefined) return { error: 'not a webhook delivery: unknown provider' };
  if (payload === undefined || providerEventType === null) {
    return { error: 'not a webhook delivery: no payload readable, or no event type' };
  }
  const entity = objectAt(data, 'entity');
  const sequence = textAt(entity, 'sequence');
  const receivedAt = textAt(data, 'receivedAt') ?? event.created.toISOString();
  return {
    cause: causeOf(event, receivedAt),
    webhook: {
      provider,
      source: textAt(data, 'source') ?? provider,
      providerEventType,
      tenantId: textAt(data, 'tenantId'),
      entity: {
        fqdn: textAt(entity, 'fqdn'),
        id: textAt(entity, 'id'),
        sequence: sequence !== null && /^\d{1,20}$/.test(sequence) ? sequence : null,
      },
      receivedAt,
      payload,
    },
  };
}
