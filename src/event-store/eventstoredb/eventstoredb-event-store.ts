/**
 * The production log: EventStoreDB through @eventstore/db-client. Client
 * errors become ours at this edge; $all is never read without a page size;
 * subscriptions re-subscribe after a drop from the last delivered position.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  START,
  StreamNotFoundError,
} from '@eventstore/db-client';
import { Observable } from 'rxjs';
import { StoreUsageError } from '../event-store.errors';
import type {
  AppendOptions,
  AppendResult,
  EventData,
  EventStore,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
} from '../event-store.port';
import {
  matchesFilter,
  toEsdbPosition,
  toRecordedEvent,
  toServerFilter,
  translateError,
} from './eventstoredb-mapping';

const MAX_RESUBSCRIBE_DELAY_MS = 5_000;

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private closed = false;

  constructor(private readonly client: EventStoreDBClient) {}

  async append(
    stream: string,
    events: readonly EventData[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    this.assertOpen();
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) =>
          jsonEvent({
            id: event.id,
            type: event.type,
            data: event.data,
            metadata: event.metadata ?? {},
          }),
        ),
        { expectedRevision: options.expectedRevision },
      );
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position?.commit ?? -1n,
      };
    } catch (error) {
      throw translateError(error, stream, options.expectedRevision);
    }
  }

  async readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        maxCount: options.maxCount,
      });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        if (event !== undefined) events.push(event);
      }
      return events;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateError(error);
    }
  }

  /**
   * Client 6.x offers no server-side filter on reads, so a filtered page is
   * filled by reading bounded chunks and keeping the matching events.
   */
  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    let cursor = options.after;
    for (;;) {
      const chunk = await this.readChunk(backwards, cursor, options.maxCount + 1);
      // fromPosition is inclusive for reads: drop the event at exactly `after`.
      const fresh = chunk.filter((event) => cursor === undefined || event.position !== cursor);
      for (const event of fresh) {
        cursor = event.position;
        if (event.id === '' || !matchesFilter(event, options.filter)) continue;
        events.push(event);
        if (events.length === options.maxCount) return { events, next: event.position };
      }
      if (chunk.length < options.maxCount + 1) return { events };
    }
  }

  private async readChunk(
    backwards: boolean,
    after: bigint | undefined,
    maxCount: number,
  ): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const read = this.client.readAll({
        direction: backwards ? BACKWARDS : FORWARDS,
        fromPosition: after === undefined ? (backwards ? END : START) : toEsdbPosition(after),
        maxCount,
      });
      for await (const resolved of read) {
        const event = toRecordedEvent(resolved);
        if (event !== undefined) events.push(event);
        else if (resolved.event?.position)
          events.push({ ...systemPlaceholder, position: resolved.event.position.commit });
      }
    } catch (error) {
      throw translateError(error);
    }
    return events;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      let checkpoint = options.after;
      let stopped = false;
      let current: { unsubscribe(): Promise<void> } | undefined;
      const run = async (): Promise<void> => {
        let failures = 0;
        while (!stopped) {
          try {
            const subscription = this.client.subscribeToAll({
              fromPosition: checkpoint === undefined ? START : toEsdbPosition(checkpoint),
              filter: toServerFilter(options.filter),
            });
            current = subscription;
            for await (const resolved of subscription) {
              failures = 0;
              const event = toRecordedEvent(resolved);
              if (event === undefined || (checkpoint !== undefined && event.position <= checkpoint))
                continue;
              if (matchesFilter(event, options.filter)) subscriber.next(event);
              checkpoint = event.position;
              if (stopped) break;
            }
            if (stopped) break;
          } catch (error) {
            if (stopped || this.closed) break;
            failures++;
            const delay = Math.min(MAX_RESUBSCRIBE_DELAY_MS, 100 * 2 ** failures);
            await new Promise((resolve) => setTimeout(resolve, delay));
            if (failures > 50) throw translateError(error);
          }
        }
        subscriber.complete();
      };
      run().catch((error: unknown) => subscriber.error(error));
      return () => {
        stopped = true;
        void current?.unsubscribe();
      };
    });
  }

  async headPosition(): Promise<bigint | undefined> {
    const page = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return page.events[0]?.position;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const read = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        deadline: 2_000,
      });
      for await (const _ of read) break;
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUsageError('the event store is closed');
  }
}

/** Stands in for a system event inside a read chunk, so paging advances past it; never returned. */
const systemPlaceholder: RecordedEvent = {
  id: '',
  type: '$system',
  streamId: '$system',
  revision: -1n,
  position: -1n,
  data: {},
  metadata: {},
  created: new Date(0),
};

function validateMaxCount(maxCount: number): void {
  if (!Number.isSafeInteger(maxCount) || maxCount <= 0) {
    throw new StoreUsageError(`maxCount must be a positive whole number, got ${maxCount}`);
  }
}

export function connectEventStoreDb(connectionString: string): EventStoreDbEventStore {
  return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString));
}
