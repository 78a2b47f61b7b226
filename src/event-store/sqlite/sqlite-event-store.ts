/**
 * The embedded event log: one SQLite database (WAL, synchronous=FULL) with
 * group commit. Concurrent appends share one transaction per flush; each
 * append's promise settles only after the transaction holding it committed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Observable, Subject } from 'rxjs';
import { StoreUnavailableError, StoreUsageError } from '../event-store.errors';
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
import { checkExpected, validateAppend, validateMaxCount } from './append-rules';
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
  private closed = false;
  private drained: Promise<void> = Promise.resolve();
  private readonly committed = new Subject<void>();

  constructor(options: SqliteEventStoreOptions) {
    if ('file' in options) mkdirSync(dirname(options.file), { recursive: true });
    this.db = openDatabase('file' in options ? options.file : ':memory:');
    this.sql = prepareStatements(this.db);
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
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.drained = new Promise((resolve) =>
      setImmediate(() => {
        this.flush();
        resolve();
      }),
    );
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, MAX_APPENDS_PER_FLUSH);
    if (batch.length === 0) return;
    const outcomes: ({ ok: AppendResult } | { error: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          for (const pending of batch) {
            try {
              outcomes.push({ ok: this.write(pending) });
            } catch (error) {
              outcomes.push({ error });
            }
          }
        })
        .immediate();
      this.flushCount++;
    } catch (error) {
      const failure = new StoreUnavailableError('the embedded event log could not commit', {
        cause: error,
      });
      for (const pending of batch) pending.reject(failure);
      if (this.queue.length > 0) this.scheduleFlush();
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if ('ok' in outcome) pending.resolve(outcome.ok);
      else pending.reject(outcome.error);
    });
    this.committed.next();
    if (this.queue.length > 0) this.scheduleFlush();
  }

  /**
   * Runs inside the flush transaction. The expected-state check throws before
   * anything is written, and revisions are computed here, so an append either
   * writes all its events or none without a savepoint of its own.
   */
  private write({ stream, events, options }: PendingAppend): AppendResult {
    const current =
      (this.sql.streamRevision.get(stream) as { revision: bigint | null }).revision ?? undefined;
    checkExpected(stream, options.expectedRevision, current);
    let revision = current ?? -1n;
    let position: bigint | undefined;
    const created = BigInt(Date.now());
    for (const event of events) {
      revision++;
      const info = this.sql.insert.run(
        stream,
        revision,
        event.id,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata ?? {}),
        created,
      );
      position = BigInt(info.lastInsertRowid);
    }
    position ??= (this.sql.head.get() as { position: bigint | null }).position ?? 0n;
    return { nextExpectedRevision: revision, position };
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
    while (this.flushScheduled || this.queue.length > 0) {
      if (!this.flushScheduled) this.scheduleFlush();
      await this.drained;
    }
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
