import Database from 'better-sqlite3';
import type { JsonObject, ReadAllOptions, RecordedEvent } from '../event-store.port';

export interface EventRow {
  position: bigint;
  stream_id: string;
  revision: bigint;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created: bigint;
}

export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.defaultSafeIntegers(true);
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk before the append's promise resolves.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('wal_autocheckpoint = 4000');
  // AUTOINCREMENT: a position is never reused. UNIQUE(stream_id, revision) is
  // the index that reads streams and finds a stream's current revision.
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position  INTEGER PRIMARY KEY AUTOINCREMENT,
      stream_id TEXT    NOT NULL,
      revision  INTEGER NOT NULL,
      event_id  TEXT    NOT NULL,
      type      TEXT    NOT NULL,
      data      TEXT    NOT NULL,
      metadata  TEXT    NOT NULL,
      created   INTEGER NOT NULL,
      UNIQUE (stream_id, revision)
    );
  `);
  return db;
}

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, created';

export function prepareStatements(db: Database.Database) {
  const pages = new Map<string, Database.Statement>();
  return {
    ping: db.prepare('SELECT 1'),
    head: db.prepare('SELECT max(position) AS position FROM events'),
    streamForwards: db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    streamBackwards: db.prepare(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
    ),
    /**
     * One page of $all, walked in position order from `after`; statements are
     * cached per filter shape. Deliberately no index on type or stream: a range
     * on either cannot be read in position order, so every page would read and
     * sort all matches of the prefix (quadratic over a long catch-up), while
     * the position walk reads each row at most once across all pages, and rows
     * that fail the filter are never parsed.
     */
    page(options: ReadAllOptions): EventRow[] {
      const backwards = options.direction === 'backwards';
      const types = options.filter?.eventTypePrefixes ?? [];
      const streams = options.filter?.streamPrefixes ?? [];
      const key = `${backwards ? 'b' : 'f'}:${types.length}:${streams.length}`;
      let statement = pages.get(key);
      if (statement === undefined) {
        const where = [backwards ? 'position < ?' : 'position > ?'];
        if (types.length > 0) where.push(anyPrefix('type', types.length));
        if (streams.length > 0) where.push(anyPrefix('stream_id', streams.length));
        statement = db.prepare(
          `SELECT ${COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position ${backwards ? 'DESC' : ''} LIMIT ?`,
        );
        pages.set(key, statement);
      }
      const after = options.after ?? (backwards ? INT64_MAX : 0n);
      return statement.all(
        after,
        ...prefixRanges(types),
        ...prefixRanges(streams),
        options.maxCount,
      ) as EventRow[];
    },
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

const INT64_MAX = 9223372036854775807n;

function anyPrefix(column: string, count: number): string {
  return `(${Array.from({ length: count }, () => `substr(${column}, 1, ?) = ?`).join(' OR ')})`;
}

/**
 * A prefix test as `substr(column, 1, length) = prefix`: exact for every
 * string, with no LIKE wildcards to escape and no "largest character" bound.
 */
function prefixRanges(prefixes: readonly string[]): (string | number)[] {
  return prefixes.flatMap((prefix) => [[...prefix].length, prefix]);
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: row.revision,
    position: row.position,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    created: new Date(Number(row.created)),
  };
}
