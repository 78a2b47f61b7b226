/**
 * verify -> parse -> dedupe key -> append. The delivery is acknowledged only
 * after the append is durable; a repeated delivery finds its stream taken.
 */
import { ConcurrencyError, EventTooLargeError } from '../event-store/event-store.errors';
import { NO_STREAM, type EventStore, type JsonObject } from '../event-store/event-store.port';
import {
  deliveryStreamNameForId,
  uuidV5,
  WEBHOOK_EVENT_SCHEMA,
  webhookEventType,
  type WebhookReceived,
} from '../ledger/webhook-received';
import { DeliveryTooLarge, EventStoreUnavailable } from '../ledger/errors';
import type { AcceptDelivery, InboundRequest } from '../providers/provider-intake';
import { storedWebhookData } from '../providers/stored-webhook';

export interface IngestOutcome {
  readonly status: 'recorded' | 'duplicate';
  readonly eventId: string;
  readonly position: bigint;
  readonly streamId: string;
  /** As the log holds it in the clear: with a sealer, the payload is the skeleton (pseudonym tokens). */
  readonly event: WebhookReceived;
  /** The pseudonyms of the data subjects the stored delivery names (none when unsealed). */
  readonly subjects: readonly string[];
}

/** Turns a verified delivery into its stored form (src/erasure: personal parts sealed, schema 2). */
export type SealDelivery = (
  event: WebhookReceived,
  eventId: string,
) =>
  | {
      readonly data: JsonObject;
      readonly schema: number;
      readonly event: WebhookReceived;
      readonly subjects: readonly string[];
    }
  | undefined;

export async function ingestWebhook(
  store: EventStore,
  accept: AcceptDelivery,
  request: InboundRequest,
  seal?: SealDelivery,
): Promise<IngestOutcome> {
  const received = accept(request);
  // One SHA-1 per delivery: the stream is named after the event id.
  const eventId = uuidV5(received.dedupeKey);
  const streamId = deliveryStreamNameForId(received.provider, eventId);
  const sealed = sealOrRefuse(seal, received, eventId);
  const event = sealed?.event ?? received;
  const subjects = sealed?.subjects ?? [];
  try {
    const result = await store.append(
      streamId,
      [
        {
          id: eventId,
          type: webhookEventType(event.provider, event.providerEventType),
          data: sealed?.data ?? storedWebhookData(received),
          metadata: { schema: sealed?.schema ?? WEBHOOK_EVENT_SCHEMA },
        },
      ],
      { expectedRevision: NO_STREAM },
    );
    return { status: 'recorded', eventId, position: result.position, streamId, event, subjects };
  } catch (error) {
    if (error instanceof ConcurrencyError) return findOriginal(store, streamId, event, subjects);
    if (error instanceof EventTooLargeError) throw new DeliveryTooLarge(error.maxAppendSize, error);
    throw storeFailure(error);
  }
}

/** A key store that cannot give a key (a full disk) records nothing: 503, the provider retries. */
function sealOrRefuse(
  seal: SealDelivery | undefined,
  received: WebhookReceived,
  eventId: string,
): ReturnType<SealDelivery> {
  try {
    return seal?.(received, eventId);
  } catch (error) {
    throw storeFailure(error);
  }
}

/** The delivery's stream exists: it was recorded before, possibly by a concurrent copy. */
async function findOriginal(
  store: EventStore,
  streamId: string,
  event: WebhookReceived,
  subjects: readonly string[],
): Promise<IngestOutcome> {
  const [original] = await store
    .readStream(streamId, { maxCount: 1 })
    .catch((error: unknown) => Promise.reject(storeFailure(error)));
  if (original === undefined)
    throw storeFailure(new Error(`stream ${streamId} exists but reads empty`));
  return {
    status: 'duplicate',
    eventId: original.id,
    position: original.position,
    streamId,
    event,
    subjects,
  };
}

/**
 * Whatever stopped the append (the store unreachable, a full disk, a closed
 * store during shutdown), nothing was acknowledged: answer 503 so the provider retries.
 */
function storeFailure(error: unknown): EventStoreUnavailable {
  return new EventStoreUnavailable('the delivery was not recorded; retry later', error);
}
