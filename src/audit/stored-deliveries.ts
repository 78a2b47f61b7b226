import { Inject, Injectable } from '@nestjs/common';
import { StoreUnavailableError } from '../event-store/event-store.errors';
import { Erasure } from '../erasure/erasure.service';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '../event-store/event-store.port';
import { EventStoreUnavailable } from '../ledger/errors';
import {
  PROVIDERS,
  readWebhookEventType,
  WEBHOOK_STREAM_PREFIX,
  type WebhookReceived,
} from '../ledger/webhook-received';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StoredDelivery {
  readonly eventId: string;
  readonly position: string;
  readonly streamId: string;
  readonly type: string;
  readonly recordedAt: string;
  /** As received; what is no longer held reads as pseudonym tokens, the body as empty. */
  readonly delivery: WebhookReceived;
  /** Present when part of it is no longer held: "erased on <date>", or "key lost". */
  readonly erasure?: string;
  readonly bodyHeld?: boolean;
}

/**
 * A delivery's stream is named after its event id (both derive from the dedupe
 * key), so the log finds it by id without an index of its own.
 */
@Injectable()
export class StoredDeliveries {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly erasure: Erasure,
  ) {}

  async byEventId(eventId: string): Promise<StoredDelivery | undefined> {
    if (!UUID.test(eventId)) return undefined;
    for (const provider of PROVIDERS) {
      const stored = await this.byStream(
        `${WEBHOOK_STREAM_PREFIX}${provider}-${eventId.toLowerCase()}`,
      );
      if (stored !== undefined) return stored;
    }
    return undefined;
  }

  /** A log that cannot be read now is the client's "retry later", not our fault. */
  async byStream(streamId: string): Promise<StoredDelivery | undefined> {
    const [event] = await this.store
      .readStream(streamId, { maxCount: 1 })
      .catch((error: unknown) => {
        if (error instanceof StoreUnavailableError)
          throw new EventStoreUnavailable('the log cannot be read now; retry later', error);
        throw error;
      });
    return event === undefined ? undefined : this.toStored(event);
  }

  /** Schema 1 as stored; schema 2 opened with whatever keys are still held (the upcaster). */
  private toStored(event: RecordedEvent): StoredDelivery {
    const opened = this.erasure.open(event);
    const lost = opened.subjects.some((s) => !s.held) || !opened.bodyHeld;
    return {
      eventId: event.id,
      position: event.position.toString(),
      streamId: event.streamId,
      // As the service names it now: older versions stored Wix events as `wix.wix.…`.
      type: readWebhookEventType(event.type),
      recordedAt: event.created.toISOString(),
      delivery: opened.received,
      ...(lost
        ? {
            erasure:
              opened.erasedAt !== null ? `erased on ${opened.erasedAt.slice(0, 10)}` : 'key lost',
            bodyHeld: opened.bodyHeld,
          }
        : {}),
    };
  }
}
