/**
 * The embedded event log: one SQLite database (WAL, synchronous=FULL) with
 * group commit. Concurrent appends share one transaction per flush; each
 * append's promise settles only after the transaction holding it committed.
 */
import { preparePrivateFile } from '../../data-dir/private-files';
import type Database from 'better-sqlite3';
import { Observable, Subject } from 'rxjs';
import { ConcurrencyError, StoreUnavailableError, StoreUsageError } from '../event-store.errors';
import { validateMaxAppendSize } from '../append-size';
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
import { toWireAppend, validateMaxCount } from './append-rules';
import { inlineSink, workerSink, type BatchSink } from './batch-sinks';
import type { WireAppend, WireOutcome } from './batch-writer';
import {
  openDatabase,
  prepareStatements,
  toRecordedEvent,
  type EventRow,
  type Statements,
} from './schema';
import { subscribeToLog } from './sqlite-subscription';

export type SqliteEventStoreOptions = ({ readonly file: string } | { readonly inMemory: true }) & {
  /** Largest append taken, bytes (see `appendSizeOf`); default 16 MiB, as KurrentDB from 25.1. */
  readonly maxAppendSize?: number;
};

/**
 * SQLite itself takes rows up to 1 GB; the limit keeps one delivery from
 * holding a group-commit batch and the writer's memory, and makes a refusal
 * permanent and typed instead of a failed commit.
 */
export const DEFAULT_SQLITE_MAX_APPEND_SIZE = 16 * 1024 * 1024;

interface PendingAppend {
  readonly wire: WireAppend;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
  /** performance.now() when append() was called: its latency runs to its batch's commit. */
  readonly queuedAt: number;
}

/** One group commit, as told to `onCommit` listeners (metrics). */
export interface CommitObservation {
  /** Appends the transaction carried. */
  readonly size: number;
  /** Each append's time from append() to its commit, in milliseconds. */
  readonly latenciesMs: readonly number[];
}

/** Upper bound of one flush, so a burst cannot hold the writer for long. */
const MAX_APPENDS_PER_FLUSH = 2000;
const INT64_MAX = 9223372036854775807n;

export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite' as const;
  readonly maxAppendSize: number;
  private flushes = 0;
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly sink: BatchSink;
  private readonly committed = new Subject<void>();
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly commitListeners = new Set<(commit: CommitObservation) => void>();

  constructor(options: SqliteEventStoreOptions) {
    this.maxAppendSize = validateMaxAppendSize(
      options.maxAppendSize ?? DEFAULT_SQLITE_MAX_APPEND_SIZE,
    );
    // The log holds names and email addresses: 0600 in a 0700 directory, its -wal and -shm too.
    if ('file' in options) preparePrivateFile(options.file);
    this.db = openDatabase('file' in options ? options.file : ':memory:');
    this.sql = prepareStatements(this.db);
    // A file-backed log commits in a worker thread, so fsync never blocks the event loop.
    this.sink = 'file' in options ? workerSink(options.file) : inlineSink(this.db);
  }

  /** Told after every committed batch; returns the function that stops telling. */
  onCommit(listener: (commit: CommitObservation) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Transactions committed so far: lets tests see that group commit batches. */
  get flushCount(): number {
    return this.flushes;
  }

  append(
    stream: string,
    events: readonly EventData[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.assertOpen();
      const wire = toWireAppend(stream, events, options.expectedRevision, this.maxAppendSize);
      this.queue.push({ wire, resolve, reject, queuedAt: performance.now() });
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

  /** Writes what is queued; the next flush starts as soon as this one ends. */
  private flush(): void {
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_APPENDS_PER_FLUSH);
    const wire = { appends: batch.map((pending) => pending.wire), created: BigInt(Date.now()) };
    this.inFlight = this.sink
      .write(wire)
      .then(
        (outcomes) => {
          this.flushes++;
          batch.forEach((pending, index) => settle(pending, outcomes[index]));
          this.committed.next();
          if (this.commitListeners.size > 0) this.tellCommit(batch);
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

  private tellCommit(batch: readonly PendingAppend[]): void {
    const now = performance.now();
    const commit = { size: batch.length, latenciesMs: batch.map((p) => now - p.queuedAt) };
    for (const listener of this.commitListeners) listener(commit);
  }

  async readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? INT64_MAX : 0n);
    const statement = backwards ? this.sql.streamBackwards : this.sql.streamForwards;
    return (statement.all(stream, from, options.maxCount) as EventRow[]).map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    this.assertOpen();
    validateMaxCount(options.maxCount);
    const events = this.readPage(options);
    const last = events[events.length - 1];
    return { events, next: events.length === options.maxCount && last ? last.position : undefined };
  }

  private readPage(options: ReadAllOptions): RecordedEvent[] {
    return this.sql.page(options).map(toRecordedEvent);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<RecordedEvent> {
    return subscribeToLog(
      {
        isClosed: () => this.closed,
        committed: this.committed,
        head: () => this.head() ?? 0n,
        page: (pageOptions) => this.readPage(pageOptions),
      },
      options,
    );
  }

  async headPosition(filter?: AllFilter): Promise<bigint | undefined> {
    this.assertOpen();
    if (filter === undefined) return this.head();
    const [last] = this.sql.page({ direction: 'backwards', maxCount: 1, filter });
    return last?.position;
  }

  private head(): bigint | undefined {
    return (this.sql.head.get() as { position: bigint | null }).position ?? undefined;
  }

  async ping(): Promise<boolean> {
    if (this.closed || this.sink.broken) return false;
    try {
      this.sql.ping.get();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Commits what was already accepted, then closes; later appends are refused
   * and live subscriptions complete. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
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

function settle({ wire, resolve, reject }: PendingAppend, outcome: WireOutcome | undefined): void {
  if (outcome === undefined) {
    reject(new StoreUnavailableError('the embedded event log lost an append outcome'));
  } else if ('ok' in outcome) {
    resolve({ nextExpectedRevision: outcome.ok[0], position: outcome.ok[1] });
  } else if ('conflict' in outcome) {
    reject(new ConcurrencyError(wire.stream, wire.expected, outcome.conflict ?? undefined));
  } else {
    reject(
      new StoreUnavailableError(`the embedded event log refused an append: ${outcome.failure}`),
    );
  }
}
