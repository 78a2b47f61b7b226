/**
 * A delivery as the log holds it (schema 3), and its upcaster.
 *
 * The log keeps the delivery's bytes once: the body as received, with the
 * facts the intake read from it (provider, type, dedupe key, tenant, entity,
 * verification). The payload is not stored beside the body, since it is
 * derived from it: each provider reads it back with the parser its intake
 * used (`ProviderModule.readPayload`). Events of schema 1 (payload and body
 * both) and schema 2 (sealed, with its skeleton payload) carry their payload
 * and are read as they are, so every event ever appended reads the same.
 */
import type { JsonObject } from '../ledger/json';
import { objectAt } from '../ledger/json';
import {
  isProvider,
  type StoredDelivery,
  type Verification,
  type WebhookReceived,
} from '../ledger/webhook-received';
import { WebhookRejection } from '../ledger/errors';
import { PROVIDER_MODULES } from './providers';

/** The event data appended for a verified delivery: everything but the payload. */
export function storedWebhookData(received: WebhookReceived): JsonObject {
  const { payload: _derivedFromBody, ...stored } = received;
  return stored as unknown as JsonObject;
}

/**
 * The payload of stored event data: as stored (schemas 1 and 2), or read back
 * from the body (schema 3). Undefined when there is neither, or the body no
 * longer parses (the log is read as untrusted JSON: reported, never thrown).
 */
export function storedPayload(data: JsonObject): JsonObject | undefined {
  const stored = objectAt(data, 'payload');
  if (stored !== undefined) return stored;
  const delivery = objectAt(data, 'delivery');
  const verification = objectAt(data, 'verification');
  if (!isProvider(data.provider) || typeof delivery?.body !== 'string') return undefined;
  try {
    return PROVIDER_MODULES[data.provider].readPayload(
      delivery as unknown as StoredDelivery,
      (verification ?? {}) as unknown as Verification,
    );
  } catch (error) {
    if (error instanceof WebhookRejection) return undefined;
    throw error;
  }
}

/**
 * Stored event data as the `WebhookReceived` it was appended from; a payload
 * that cannot be read back reads as empty (the projections report it).
 */
export function webhookFromStored(data: JsonObject): WebhookReceived {
  return { ...(data as unknown as WebhookReceived), payload: storedPayload(data) ?? {} };
}
