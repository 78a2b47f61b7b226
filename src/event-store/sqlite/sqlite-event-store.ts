/**
 * The embedded event log: one SQLite database (WAL, synchronous=FULL) with
 * group commit. Concurrent appends share one transaction per flush; each
 * append's promise settles only after the transaction holding it committed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Observable, Subject } from 'rxjs';
import { ConcurrencyError, StoreUnavailableError, StoreUsageError } from '../event-store.errors';
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
import { validateAppend, validateMaxCount } from './append-rules';
import { inlineSink, workerSink, type BatchSink } from './batch-sinks';
import type { WireAppend, WireBatch, WireOutcome } from './batch-writer';
import {
  openDatabase,
  prepareStatements,
  toRecordedEvent,
  type EventRow,
  type Statements,
} from './schema';

export type SqliteEventStoreOptions = { readonly file: string } | { readonly inMemory: true };

interface PendingAppend {
  readonly stream: string;
  readonly events: readonly EventData[];
  readonly options: AppendOptions;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Upper bound of one flush, so a burst cannot hold the event loop for long. */
const MAX_APPENDS_PER_FLUSH = 2000;
const SUBSCRIPTION_PAGE = 500;

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  /** Transactions committed so far: lets tests see that group commit batches. */
  flushCount = 0;
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private readonly sink: BatchSink;
  private readonly committed = new Subject<void>();

  constructor(options: SqliteEventStoreOptions) {
    if ('file' in options) mkdirSync(dirname(options.file), { recursive: true });
    this.db = openDatabase('file' in options ? options.file : ':memory:');
    this.sql = prepareStatements(this.db);
    this.sink = 'file' in options ? workerSink(options.file) : inlineSink(this.db);
  }

  append(
    stream: string,
    events: readonly EventData[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) throw new StoreUsageError('the event store is closed');
      validateAppend(stream, events);
      this.queue.push({ stream, events, options, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight !== undefined) return;
    this.flushScheduled = true;
    // One turn of the event loop lets concurrent requests join the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_APPENDS_PER_FLUSH);
    const wire: WireBatch = { appends: batch.map(toWireAppend), created: BigInt(Date.now()) };
    this.inFlight = this.sink
      .write(wire)
      .then(
        (outcomes) => {
          this.flushCount++;
          batch.forEach((pending, index) => settle(pending, outcomes[index]));
          this.committed.next();
        },
        (error: unknown) => {
          const failure =
            error instanceof StoreUnavailableError
              ? error
              : new StoreUnavailableError('the embedded event log could not commit', {
                  cause: error,
                });
          for (const pending of batch) pending.reject(failure);
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        this.flush();
      });
  }

  async readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    const statement = backwards ? this.sql.streamBackwards : this.sql.streamForwards;
    return (statement.all(stream, from, options.maxCount) as EventRow[]).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    return this.readAllNow(options);
  }

  /** Synchronous read: no commit can slip in between its head and its page. */
  private readAllNow(options: ReadAllOptions): ReadAllPage {
    const rows = this.sql.page(options);
    const events = rows.map(toRecordedEvent);
    const last = events[events.length - 1];
    return { events, next: events.length === options.maxCount && last ? last.position : undefined };
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      let checkpoint = options.after ?? 0n;
      let wake: (() => void) | undefined;
      let stopped = false;
      const notifications = this.committed.subscribe({
        next: () => wake?.(),
        complete: () => {
          stopped = true;
          wake?.();
        },
      });
      const pull = async (): Promise<void> => {
        while (!stopped && !subscriber.closed) {
          if (this.closed) break;
          const head = (this.sql.head.get() as { position: bigint | null }).position ?? 0n;
          const page = this.readAllNow({
            after: checkpoint,
            maxCount: SUBSCRIPTION_PAGE,
            filter: options.filter,
          });
          for (const event of page.events) {
            if (subscriber.closed) return;
            subscriber.next(event);
            checkpoint = event.position;
          }
          if (page.next !== undefined) continue;
          // Everything up to the head was scanned, matching or not.
          if (head > checkpoint) checkpoint = head;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        subscriber.complete();
      };
      pull().catch((error: unknown) => subscriber.error(error));
      return () => {
        stopped = true;
        notifications.unsubscribe();
        wake?.();
      };
    });
  }

  async headPosition(): Promise<bigint | undefined> {
    this.assertOpen();
    return (this.sql.head.get() as { position: bigint | null }).position ?? undefined;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.sql.ping.get();
      return true;
    } catch {
      return false;
    }
  }

  /** Flushes what was already accepted, then closes. Later appends are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.inFlight !== undefined || this.queue.length > 0) {
      this.flush();
      await this.inFlight;
    }
    await this.sink.close();
    this.committed.complete();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUsageError('the event store is closed');
  }
}

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStore(options);
}

function toWireAppend({ stream, events, options }: PendingAppend): WireAppend {
  return {
    stream,
    expected: options.expectedRevision,
    rows: events.map(
      (event) =>
        [
          event.id,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata ?? {}),
        ] as const,
    ),
  };
}

function settle(pending: PendingAppend, outcome: WireOutcome | undefined): void {
  if (outcome === undefined) {
    pending.reject(new StoreUnavailableError('the embedded event log lost an append outcome'));
  } else if ('ok' in outcome) {
    pending.resolve({ nextExpectedRevision: outcome.ok[0], position: outcome.ok[1] });
  } else {
    const actual = outcome.conflict ?? undefined;
    pending.reject(new ConcurrencyError(pending.stream, pending.options.expectedRevision, actual));
  }
}
