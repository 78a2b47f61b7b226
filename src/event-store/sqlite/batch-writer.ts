/**
 * Writes one group-commit batch in one transaction. The same code runs inline
 * (in-memory stores) and in the writer worker thread (writer.worker.ts), so
 * its input and output are plain data a worker message can carry.
 *
 * An append either writes all its events or none: the expected-state check
 * runs before its first insert, and revisions are computed here. Appends are
 * applied in arrival order, so of two "no_stream" appends to one stream in a
 * batch the first wins. If the database refuses the batch (an error other than
 * a failed expectation), the batch is retried one append per transaction so
 * that only the append the database refuses fails.
 */
import type Database from 'better-sqlite3';

export type WireExpected = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface WireAppend {
  readonly stream: string;
  readonly expected: WireExpected;
  /** [event id, type, data JSON, metadata JSON] per event. */
  readonly rows: readonly (readonly [string, string, string, string])[];
}

export interface WireBatch {
  readonly appends: readonly WireAppend[];
  readonly created: bigint;
}

/**
 * Per append: the new revision and log position; or the stream's actual
 * revision when the expectation failed (null: no stream); or why the database
 * refused this append alone.
 */
export type WireOutcome =
  | { readonly ok: readonly [bigint, bigint] }
  | { readonly conflict: bigint | null }
  | { readonly failure: string };

/** The connection has safe integers on (openDatabase, writer.worker.ts): numbers read back as bigint. */
interface RevisionRow {
  readonly revision: bigint | null;
}
interface PositionRow {
  readonly position: bigint | null;
}

function expectationHolds(expected: WireExpected, actual: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === null;
  if (expected === 'stream_exists') return actual !== null;
  return actual === expected;
}

export function createBatchWriter(db: Database.Database): (batch: WireBatch) => WireOutcome[] {
  const currentRevision = db.prepare<[string], RevisionRow>(
    'SELECT max(revision) AS revision FROM events WHERE stream_id = ?',
  );
  const head = db.prepare<[], PositionRow>('SELECT max(position) AS position FROM events');
  const insert = db.prepare<[string, bigint, string, string, string, string, bigint]>(
    'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  function writeOne(append: WireAppend, created: bigint): WireOutcome {
    // An aggregate without GROUP BY always yields one row.
    const actual = currentRevision.get(append.stream)?.revision ?? null;
    if (!expectationHolds(append.expected, actual)) return { conflict: actual };
    // An empty append writes nothing and, like EventStoreDB, reports -1 for a missing stream.
    let revision = actual ?? -1n;
    let position: bigint | null = null;
    for (const [eventId, type, data, metadata] of append.rows) {
      revision++;
      position = BigInt(
        insert.run(append.stream, revision, eventId, type, data, metadata, created).lastInsertRowid,
      );
    }
    position ??= head.get()?.position ?? 0n;
    return { ok: [revision, position] };
  }

  const writeAll = db.transaction((batch: WireBatch) =>
    batch.appends.map((append) => writeOne(append, batch.created)),
  );
  const writeAlone = db.transaction(writeOne);

  return (batch) => {
    try {
      return writeAll.immediate(batch);
    } catch (error) {
      if (batch.appends.length < 2) throw error;
      return batch.appends.map((append) => {
        try {
          return writeAlone.immediate(append, batch.created);
        } catch (alone) {
          return { failure: alone instanceof Error ? alone.message : String(alone) };
        }
      });
    }
  };
}
