/**
 * A read-only follower of a file-backed embedded log, for a thread other than
 * the one that appends (the projection worker). It opens its own read-only
 * connection: WAL lets it read committed transactions while the writer thread
 * commits, each reader seeing a consistent snapshot. It learns of commits from
 * `notifyCommitted` (the appending thread tells it after each group commit)
 * and, in case a notice never comes, from SQLite's data_version every `pollMs`.
 */
import Database from 'better-sqlite3';
import { Subject, type Observable } from 'rxjs';
import { StoreUsageError } from '../event-store.errors';
import type { AllFilter, RecordedEvent, SubscribeToAllOptions } from '../event-store.port';
import { prepareStatements, toRecordedEvent, type Statements } from './schema';
import { subscribeToLog } from './sqlite-subscription';

const DEFAULT_POLL_MS = 500;

export class SqliteLogReader {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly committed = new Subject<void>();
  private readonly poll: NodeJS.Timeout;
  private dataVersion: number;
  private closed = false;

  constructor(file: string, options: { readonly pollMs?: number } = {}) {
    // fileMustExist: the appending side created the log; a reader must never create one.
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.defaultSafeIntegers(true);
    this.db.pragma('busy_timeout = 5000');
    this.sql = prepareStatements(this.db);
    this.dataVersion = this.readDataVersion();
    this.poll = setInterval(() => {
      const version = this.readDataVersion();
      if (version === this.dataVersion) return;
      this.dataVersion = version;
      this.committed.next();
    }, options.pollMs ?? DEFAULT_POLL_MS);
    this.poll.unref();
  }

  /** Another connection committed: subscriptions waiting at the head read on. */
  notifyCommitted(): void {
    if (!this.closed) this.committed.next();
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Observable<RecordedEvent> {
    return subscribeToLog(
      {
        isClosed: () => this.closed,
        committed: this.committed,
        head: () => this.head() ?? 0n,
        page: (page) => this.sql.page(page).map(toRecordedEvent),
      },
      options,
    );
  }

  async headPosition(filter?: AllFilter): Promise<bigint | undefined> {
    if (this.closed) throw new StoreUsageError('the event log reader is closed');
    if (filter === undefined) return this.head();
    const [last] = this.sql.page({ direction: 'backwards', maxCount: 1, filter });
    return last?.position;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    this.committed.complete();
    this.db.close();
  }

  private head(): bigint | undefined {
    return (this.sql.head.get() as { position: bigint | null }).position ?? undefined;
  }

  private readDataVersion(): number {
    return Number(this.db.pragma('data_version', { simple: true }));
  }
}
