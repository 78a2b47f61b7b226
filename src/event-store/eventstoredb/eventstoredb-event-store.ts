/**
 * The production log: EventStoreDB through @eventstore/db-client 6.x. Client
 * errors become ours at this edge; $all is only ever read with a page size;
 * subscriptions re-subscribe after a drop from the last event they saw.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  START,
  StreamNotFoundError,
  type StreamingRead,
} from '@eventstore/db-client';
import { Observable, Subject, takeUntil, throwError } from 'rxjs';
import { ConcurrencyError, StoreUsageError } from '../event-store.errors';
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
  commitPositionOf,
  isPastCursor,
  matchesFilter,
  toReadPosition,
  toRecordedEvent,
  translateError,
  validateAppend,
  validateMaxCount,
} from './eventstoredb-mapping';
import {
  DEFAULT_RESUBSCRIBE_POLICY,
  followAll,
  type ResubscribePolicy,
} from './eventstoredb-subscription';

/**
 * Events asked for per read request while a page fills. Client 6.x sends
 * every $all read with "no filter" (the option is not exposed), so filters
 * and the system-event exclusion are applied here; a larger request saves
 * round trips over stretches of non-matching events, and the read is
 * cancelled as soon as the page is full.
 */
const SCAN_CHUNK = 1_000;

export interface EventStoreDbOptions {
  /** Deadline of the read behind `ping()`; `ping()` also gives up on its own after it. */
  readonly pingDeadlineMs?: number;
  readonly resubscribe?: ResubscribePolicy;
}

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  private closed = false;
  private readonly closing = new Subject<void>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly options: EventStoreDbOptions = {},
  ) {}

  async append(
    stream: string,
    events: readonly EventData[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(stream, events);
    if (events.length === 0) return this.appendNothing(stream, options);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map(({ id, type, data, metadata }) =>
          jsonEvent({ id, type, data, metadata: metadata ?? {} }),
        ),
        { expectedRevision: options.expectedRevision },
      );
      if (result.position === undefined) {
        throw new Error(`EventStoreDB returned no log position for an append to ${stream}`);
      }
      return {
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position.commit,
      };
    } catch (error) {
      throw translateError(error, stream, options.expectedRevision);
    }
  }

  /**
   * The client reports an empty append's "no stream" as 0n and no position, so
   * the contract's answer (-1n for a missing stream, nothing written, the
   * expected state still checked) is computed from the stream's last event.
   */
  private async appendNothing(stream: string, options: AppendOptions): Promise<AppendResult> {
    const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const actual = last?.revision;
    const expected = options.expectedRevision;
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && actual === undefined) ||
      (expected === 'stream_exists' && actual !== undefined) ||
      expected === actual;
    if (!holds) throw new ConcurrencyError(stream, expected, actual);
    return { nextExpectedRevision: actual ?? -1n, position: (await this.headPosition()) ?? 0n };
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

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const direction = options.direction ?? 'forwards';
    const chunk = Math.max(options.maxCount + 1, SCAN_CHUNK);
    const events: RecordedEvent[] = [];
    let cursor = options.after;
    for (;;) {
      const read = this.client.readAll({
        direction: direction === 'backwards' ? BACKWARDS : FORWARDS,
        fromPosition: toReadPosition(cursor, direction),
        maxCount: chunk,
      });
      const chunkStart = cursor;
      let scanned = 0;
      try {
        for await (const resolved of read) {
          scanned += 1;
          const position = commitPositionOf(resolved);
          // The read starts at the cursor inclusively: skip the event at exactly `after`.
          if (position === undefined || !isPastCursor(position, cursor, direction)) continue;
          cursor = position;
          const event = toRecordedEvent(resolved);
          if (event === undefined || !matchesFilter(event, options.filter)) continue;
          events.push(event);
          if (events.length === options.maxCount) return { events, next: position };
        }
      } catch (error) {
        throw translateError(error);
      } finally {
        await cancel(read);
      }
      if (scanned < chunk) return { events };
      if (cursor === chunkStart) {
        throw new Error(
          `EventStoreDB: a full read of $all made no progress from ${String(cursor)}`,
        );
      }
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<RecordedEvent> {
    if (this.closed) return throwError(() => new StoreUsageError('the event store is closed'));
    return followAll(
      (request) => this.client.subscribeToAll(request),
      options,
      this.options.resubscribe ?? DEFAULT_RESUBSCRIBE_POLICY,
    ).pipe(takeUntil(this.closing));
  }

  async headPosition(): Promise<bigint | undefined> {
    const page = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return page.events[0]?.position;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    const deadline = this.options.pingDeadlineMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), deadline + 500);
    });
    try {
      return await Promise.race([this.readOne(deadline), givenUp]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readOne(deadline: number): Promise<boolean> {
    const read = this.client.readAll({
      direction: BACKWARDS,
      fromPosition: END,
      maxCount: 1,
      deadline,
    });
    try {
      for await (const _ of read) break;
      return true;
    } finally {
      await cancel(read);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.next();
    this.closing.complete();
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUsageError('the event store is closed');
  }
}

/** Stops a read the server may still be sending (breaking out of the loop does not). */
async function cancel<E>(read: StreamingRead<E>): Promise<void> {
  await read.cancel().catch(() => undefined);
}

export function connectEventStoreDb(
  connectionString: string,
  options: EventStoreDbOptions = {},
): EventStore {
  return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);
}
