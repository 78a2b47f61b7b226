/**
 * The write connection of a read-model generation being built, on its own
 * thread: the fold hands each batch over already serialized, so folding and
 * SQLite's inserts use two cores. See building-writer.ts for the protocol;
 * `shared` says how far this thread got.
 */
import { Buffer } from 'node:buffer';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What building-writer.ts starts this thread with. */
export interface BuildingWriterData {
  readonly file: string;
  readonly shared: SharedArrayBuffer;
  readonly busy: SharedArrayBuffer;
  readonly text: SharedArrayBuffer;
  readonly lengths: SharedArrayBuffer;
  readonly errors: MessagePort;
  readonly batchesPerTransaction: number;
}

/** The messages building-writer.ts sends; every one is counted in `shared` once handled. */
export type BuildingWriterMessage = { readonly seq: number } & (
  | {
      readonly kind: 'batch';
      readonly counts: readonly number[];
      /** In the shared buffers: */
      readonly textStart?: number;
      readonly textBytes?: number;
      readonly lengthsStart?: number;
      /** Or, for a batch too large for them, in the message: */
      readonly inline?: string;
      readonly lengths?: readonly number[];
    }
  | { readonly kind: 'commit' | 'discard' | 'close' }
);

const HANDLED = 0;
const COMMITTED = 1;
const FAILED = 2;

const data = workerData as BuildingWriterData;
const shared = new Int32Array(data.shared);
/** Milliseconds this thread spent writing: what a benchmark compares with the fold's time. */
const busy = new Float64Array(data.busy);
const db = new Database(data.file);
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = OFF');
db.pragma('cache_size = -65536');
const putDocument = db.prepare(
  `INSERT INTO documents (collection, key, body) VALUES (?, ?, ?)
   ON CONFLICT (collection, key) DO UPDATE SET body = excluded.body`,
);
const putEntry = db.prepare(
  `INSERT INTO ledger_entries (projection, position, seq, entity_kind, entity_key, owner_key,
     outcome, event_id, stream_id, provider_type, received_at, detail)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const putError = db.prepare(
  'INSERT OR REPLACE INTO projection_errors (projection, position, event_id, message) VALUES (?, ?, ?, ?)',
);
const putNotUnderstood = db.prepare(
  `INSERT OR REPLACE INTO not_understood (projection, position, event_id, event_type, reason)
   VALUES (?, ?, ?, ?, ?)`,
);
const putCheckpoint = db.prepare(
  `INSERT OR REPLACE INTO projection_checkpoints
     (projection, version, position, handled, not_understood, failed) VALUES (?, ?, ?, ?, ?, ?)`,
);

/** Batches in the open transaction, and the last of them. */
let open = 0;
let lastBatch = 0;
/** After a failure: batches are skipped until the main thread discards what followed it. */
let failed = false;

const sharedText = Buffer.from(data.text);
const sharedLengths = new Int32Array(data.lengths);

type BatchMessage = Extract<BuildingWriterMessage, { kind: 'batch' }>;

/** The fields of a batch in order: from the shared buffers where the message says, or from the message. */
function fieldsOf(m: BatchMessage): () => string | null {
  const inline = m.inline !== undefined;
  const start = m.textStart ?? 0;
  const text = m.inline ?? sharedText.toString('utf8', start, start + (m.textBytes ?? 0));
  const lengths: ArrayLike<number> = inline ? (m.lengths ?? []) : sharedLengths;
  let offset = 0;
  let index = inline ? 0 : (m.lengthsStart ?? 0);
  return () => {
    const length = lengths[index++] as number;
    if (length < 0) return null;
    const field = text.substring(offset, offset + length);
    offset += length;
    return field;
  };
}

/** Statements by table, in the order of the batch, with their column counts. */
const TABLES: readonly (readonly [Database.Statement, number])[] = [
  [putDocument, 3],
  [putEntry, 12],
  [putError, 4],
  [putNotUnderstood, 5],
  [putCheckpoint, 6],
];

const writeBatch = db.transaction((m: BatchMessage) => {
  const next = fieldsOf(m);
  const row: (string | null)[] = [];
  for (let t = 0; t < TABLES.length; t += 1) {
    const [statement, columns] = TABLES[t] as readonly [Database.Statement, number];
    for (let r = m.counts[t] ?? 0; r > 0; r -= 1) {
      for (let c = 0; c < columns; c += 1) row[c] = next();
      row.length = columns;
      statement.run(row);
    }
  }
});

function commitOpen(): void {
  if (db.inTransaction) db.exec('COMMIT');
  open = 0;
  Atomics.store(shared, COMMITTED, lastBatch);
}

/**
 * The failed batch's savepoint is rolled back already; the batches before it
 * in the open transaction are whole (checkpoints included) and are kept,
 * unless SQLite rolled back the transaction itself (a full disk).
 */
function fail(error: unknown): void {
  failed = true;
  try {
    if (db.inTransaction) commitOpen();
  } catch {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // Rolled back by SQLite meanwhile: nothing of the open transaction stays.
    }
  }
  open = 0;
  const message = (error as { message?: unknown } | null)?.message;
  data.errors.postMessage(typeof message === 'string' ? message : String(error));
  Atomics.store(shared, FAILED, 1);
}

parentPort?.on('message', (m: BuildingWriterMessage) => {
  const started = performance.now();
  try {
    if (m.kind === 'batch') {
      if (!failed) {
        // Inside the open transaction, better-sqlite3 makes the batch a savepoint.
        if (!db.inTransaction) db.exec('BEGIN');
        writeBatch(m);
        lastBatch = m.seq;
        open += 1;
        if (open >= data.batchesPerTransaction) commitOpen();
      }
    } else if (m.kind === 'commit') {
      if (!failed) commitOpen();
    } else if (m.kind === 'discard') {
      if (db.inTransaction) db.exec('ROLLBACK');
      open = 0;
      failed = false;
      Atomics.store(shared, FAILED, 0);
    } else {
      try {
        if (!failed) commitOpen();
      } finally {
        db.close();
      }
    }
  } catch (error) {
    fail(error);
  }
  busy[0] = (busy[0] ?? 0) + performance.now() - started;
  Atomics.store(shared, HANDLED, m.seq);
  Atomics.notify(shared, HANDLED);
});
