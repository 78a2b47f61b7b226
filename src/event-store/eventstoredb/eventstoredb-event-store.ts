/**
 * The production log: EventStoreDB through @eventstore/db-client 6.x. Client
 * errors become ours at this edge; $all is only ever read with a page size;
 * subscriptions re-subscribe after a drop from the last event they saw.
 *
 * Minimum server version: EventStoreDB 22.6. Older servers send no log
 * position with the events of a stream read, and `RecordedEvent.position`
 * (which the ingest path answers with) would be missing.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { Observable, Subject, takeUntil, throwError } from 'rxjs';
import { appendSizeOf, validateMaxAppendSize } from '../append-size';
import { ConcurrencyError, EventTooLargeError, StoreUsageError } from '../event-store.errors';
import type {
  AllFilter,
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
import { EventStoreDbClients } from './eventstoredb-clients';
import { mayLeaveClientStuck, toEventTooLarge, translateError } from './eventstoredb-errors';
import {
  commitPositionOf,
  isPastCursor,
  matchesFilter,
  toReadPosition,
  toRecordedEvent,
  toWireEvent,
  validateAppend,
  validateMaxCount,
} from './eventstoredb-mapping';
import { readUntil, release } from './eventstoredb-reads';
import {
  DEFAULT_RESUBSCRIBE_POLICY,
  followAll,
  type ResubscribePolicy,
} from './eventstoredb-subscription';

/**
 * Most events asked for per read request while a page fills. Client 6.x
 * sends every $all read with "no filter" (the option is not exposed), so
 * filters and the system-event exclusion are applied here; the request grows
 * from the page size up to this over stretches of non-matching events, and
 * the read is cancelled as soon as the page is full.
 */
const SCAN_CHUNK = 1_000;

/** What servers up to 25.0 take by default (`MaxAppendSize`); 25.1 raised it to 16 MiB. */
export const DEFAULT_ESDB_MAX_APPEND_SIZE = 1024 * 1024;

export interface EventStoreDbOptions {
  /** How long `ping()` waits for an answer before it says false (the client ignores read deadlines). */
  readonly pingDeadlineMs?: number;
  readonly resubscribe?: ResubscribePolicy;
  /**
   * Largest append, bytes as `appendSizeOf` counts them; set it to the
   * server's `MaxAppendSize`. Default 1 MiB. A server refusal is mapped to
   * `EventTooLargeError` as well, so a lower server setting is still permanent.
   */
  readonly maxAppendSize?: number;
  /** How long `close()` waits for the client to release its calls. */
  readonly closeTimeoutMs?: number;
  /** Least time between two client replacements (see `EventStoreDbClients`). */
  readonly replaceClientAfterMs?: number;
}

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb' as const;
  readonly maxAppendSize: number;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly stopping = new Subject<void>();
  private readonly clients: EventStoreDbClients;

  /** `reconnect` makes a fresh client when the current one is stuck; without it, none is made. */
  constructor(
    client: EventStoreDBClient,
    private readonly options: EventStoreDbOptions = {},
    reconnect?: () => EventStoreDBClient,
  ) {
    this.maxAppendSize = validateMaxAppendSize(
      options.maxAppendSize ?? DEFAULT_ESDB_MAX_APPEND_SIZE,
    );
    this.clients = new EventStoreDbClients({
      initial: client,
      reconnect,
      replaceAfterMs: options.replaceClientAfterMs ?? 1_000,
    });
  }

  async append(
    stream: string,
    events: readonly EventData[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    this.assertOpen();
    validateAppend(stream, events);
    const size = appendSizeOf(events);
    if (size > this.maxAppendSize) throw new EventTooLargeError(stream, size, this.maxAppendSize);
    if (events.length === 0) return this.appendNothing(stream, options);
    const expected = options.expectedRevision;
    const result = await this.clients.run(async (client) => {
      try {
        return await client.appendToStream(stream, events.map(toWireEvent), {
          expectedRevision: expected,
        });
      } catch (error) {
        const tooLarge = toEventTooLarge(error, stream, this.maxAppendSize);
        if (tooLarge !== undefined) throw tooLarge;
        if (mayLeaveClientStuck(error)) this.clients.replace(client);
        throw translateError(error, stream, expected);
      }
    });
    // Only with `throwOnAppendFailure=false` in the connection string; the
    // revision the client reports then is not the stream's (6.2.1 converts a
    // boolean), so the actual one is read.
    if (!result.success)
      throw new ConcurrencyError(stream, expected, await this.revisionOf(stream));
    if (result.position === undefined) {
      throw new Error(`EventStoreDB returned no log position for an append to ${stream}`);
    }
    return { nextExpectedRevision: result.nextExpectedRevision, position: result.position.commit };
  }

  private async revisionOf(stream: string): Promise<bigint | undefined> {
    const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    return last?.revision;
  }

  /**
   * The client reports an empty append's "no stream" as 0n and no position, so
   * the contract's answer (-1n for a missing stream, nothing written, the
   * expected state still checked) is computed from the stream's last event.
   */
  private async appendNothing(stream: string, options: AppendOptions): Promise<AppendResult> {
    const actual = await this.revisionOf(stream);
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
      await this.clients.run((client) =>
        readUntil(
          client.readStream(stream, {
            direction: backwards ? BACKWARDS : FORWARDS,
            fromRevision: options.fromRevision ?? (backwards ? END : START),
            maxCount: options.maxCount,
          }),
          (resolved: ResolvedEvent) => {
            const event = toRecordedEvent(resolved);
            if (event !== undefined) events.push(event);
            return true;
          },
        ),
      );
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw translateError(error);
    }
    this.assertOpen();
    return events;
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const direction = options.direction ?? 'forwards';
    const events: RecordedEvent[] = [];
    let chunk = Math.min(options.maxCount + 1, SCAN_CHUNK);
    let cursor = options.after;
    for (;;) {
      const chunkStart = cursor;
      let scanned = 0;
      let full = false;
      try {
        await this.clients.run((client) =>
          readUntil(
            client.readAll({
              direction: direction === 'backwards' ? BACKWARDS : FORWARDS,
              fromPosition: toReadPosition(cursor, direction),
              maxCount: chunk,
            }),
            (resolved: ResolvedEvent) => {
              scanned += 1;
              const position = commitPositionOf(resolved);
              // The read starts at the cursor inclusively: skip the event at exactly `after`.
              if (position === undefined || !isPastCursor(position, cursor, direction)) return true;
              cursor = position;
              const event = toRecordedEvent(resolved);
              if (event === undefined || !matchesFilter(event, options.filter)) return true;
              events.push(event);
              full = events.length === options.maxCount;
              return !full;
            },
          ),
        );
      } catch (error) {
        throw translateError(error);
      }
      // A read that close() cancelled ends early and would pass for the end of the log.
      this.assertOpen();
      if (full) return { events, next: cursor };
      if (scanned < chunk) return { events };
      if (cursor === chunkStart) {
        throw new Error(
          `EventStoreDB: a full read of $all made no progress from ${String(cursor)}`,
        );
      }
      chunk = Math.min(chunk * 4, SCAN_CHUNK);
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<RecordedEvent> {
    if (this.closed) return throwError(() => new StoreUsageError('the event store is closed'));
    return followAll(
      (request) => this.clients.current.subscribeToAll(request),
      options,
      this.options.resubscribe ?? DEFAULT_RESUBSCRIBE_POLICY,
    ).pipe(takeUntil(this.stopping));
  }

  async headPosition(filter?: AllFilter): Promise<bigint | undefined> {
    const page = await this.readAll({ direction: 'backwards', maxCount: 1, filter });
    return page.events[0]?.position;
  }

  /**
   * Reads the last event of $all, bounded by our own timer: 6.2.1 sends every
   * streaming read with an infinite deadline (readAll.js), so a deadline
   * option has no effect. A read given up on is cancelled and drained.
   */
  async ping(): Promise<boolean> {
    if (this.closed) return false;
    const bound = this.options.pingDeadlineMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await this.clients.run((client) => {
        const read = client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
        const givenUp = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => {
            release(read);
            resolve(false);
          }, bound);
        });
        const answered = readUntil(read, () => false).then(
          () => true,
          () => false,
        );
        return Promise.race([answered, givenUp]);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Ends live subscriptions and disposes the client. `dispose()` waits for
   * every call the client still tracks; reads release theirs (see
   * eventstoredb-reads.ts), and the bound keeps shutdown finite whatever
   * a call does.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    this.stopping.next();
    this.stopping.complete();
    this.closing = this.clients.close(this.options.closeTimeoutMs ?? 5_000);
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUsageError('the event store is closed');
  }
}

export function connectEventStoreDb(
  connectionString: string,
  options: EventStoreDbOptions = {},
): EventStore {
  const connect = (): EventStoreDBClient => EventStoreDBClient.connectionString(connectionString);
  return new EventStoreDbEventStore(connect(), options, connect);
}
