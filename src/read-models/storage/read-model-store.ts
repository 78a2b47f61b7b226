/**
 * Storage of the read models in an embedded SQLite file (or in memory for
 * tests), also when the log is EventStoreDB: they are a disposable cache.
 * `commit` writes a batch's documents, entries and checkpoints in one
 * transaction, so a crash never applies an event twice or skips one.
 */
import { join } from 'node:path';
import { preparePrivateFile } from '../../data-dir/private-files';
import Database from 'better-sqlite3';
import { canonicalJson } from '../../ledger/canonical-json';
import { documentId, type DocumentBody, type DocumentRef } from '../../projections/projection';
import {
  READ_MODEL_INDEX_NAMES,
  READ_MODEL_INDEXES,
  READ_MODEL_SCHEMA_VERSION,
  READ_MODEL_TABLE_NAMES,
  READ_MODEL_TABLES,
} from './read-model-schema';
import { BuildingWriter, PackedFields } from './building-writer';

/** Documents kept parsed in memory, recently used ones longest (participants and campaigns recur). */
const RECENT_DOCUMENTS = 20_000;
/** While building, most lookups are of documents written moments ago: a larger window pays. */
const RECENT_DOCUMENTS_BUILDING = 100_000;
/**
 * While building, one SQLite transaction spans this many batches (each batch
 * still in a savepoint of its own): a commit writes back every page it
 * dirtied, and the busiest index pages are dirtied by every batch. Measured at
 * 100k deliveries: commits took 1.8 s in all at 1 batch each, 0.8 s at 10 and
 * 0.5 s at 100, but one commit of 100 batches holds the event loop ~110 ms
 * (13 ms at 10), and a rebuild runs beside live queries.
 */
const BUILDING_BATCHES_PER_TRANSACTION = 10;
/** How much of a live file queries may read through a memory map (the rest through reads). */
const QUERY_MMAP_BYTES = 4 * 1024 * 1024 * 1024;
/** Refresh the planner's statistics as the read models grow (ANALYZE is bounded by analysis_limit). */
const ANALYZE_EVERY_DOCUMENTS = 50_000;

export type ReadModelLocation =
  { readonly directory: string; readonly fileName?: string } | { readonly inMemory: true };

export const DEFAULT_READ_MODEL_FILE = 'read-models.sqlite';

export interface ReadModelStoreOptions {
  /**
   * Nobody queries these read models while they are built: a rebuild
   * generation or a scratch copy. They have no secondary indexes and are
   * written without fsync (a crash discards the generation anyway) until
   * `indexGeneration` ends the building and they are opened as live ones.
   */
  readonly building?: boolean;
}

import type { Batch, Checkpoint, ProblemRow } from '../../projections/fold';

export type { Batch, Checkpoint, EntryRow, ProblemRow } from '../../projections/fold';

export class ReadModelStore {
  private readonly connection: Database.Database;
  /** While building a file: the write connection, on a thread of its own (see building-writer.ts). */
  private readonly writer: BuildingWriter | undefined;
  private readonly statements;
  /**
   * Parsed bodies (null: known absent). This store is the only writer of its
   * documents, so the body it last wrote or read is current, and documents are
   * immutable values: a cached one is never changed in place.
   */
  private readonly recent: RecentDocuments;
  private readonly building: boolean;
  /** Written by an older schema version: served as it stands until a rebuild replaces it. */
  readonly outdated: boolean;
  /** While building: every document this store wrote, so that looking up one never written skips SQLite. */
  private written: DocumentFilter | undefined;
  /** Collections that already held documents when building began (carried over): always looked up. */
  private unfiltered = new Set<string>();
  private writtenSinceAnalyze = 0;
  private batchesInTransaction = 0;
  private analyzed = false;

  constructor(location: ReadModelLocation, options: ReadModelStoreOptions = {}) {
    this.building = options.building === true;
    this.recent = new RecentDocuments(this.building ? RECENT_DOCUMENTS_BUILDING : RECENT_DOCUMENTS);
    const file =
      'inMemory' in location
        ? ':memory:'
        : join(location.directory, location.fileName ?? DEFAULT_READ_MODEL_FILE);
    // Read models hold names and email addresses: 0600 in a 0700 directory, their -wal and -shm too.
    if (!('inMemory' in location)) preparePrivateFile(file);
    this.connection = new Database(file);
    this.connection.defaultSafeIntegers(true);
    // A file being built is written by its writer thread and read here: WAL lets both at once.
    // In memory, a building store writes inline and nobody else reads it: no journal on disk.
    const inline = this.building && 'inMemory' in location;
    this.connection.pragma(`journal_mode = ${inline ? 'MEMORY' : 'WAL'}`);
    if (inline) this.connection.pragma('locking_mode = EXCLUSIVE');
    // The checkpoint commits with the documents: losing the last transactions on
    // power loss only means replaying them, so NORMAL is safe here.
    this.connection.pragma(`synchronous = ${this.building ? 'OFF' : 'NORMAL'}`);
    // Bounded statistics: without them SQLite ignores the expression indexes
    // and scans every referral and reward per participant lookup.
    this.connection.pragma('analysis_limit = 1000');
    this.connection.pragma('cache_size = -65536');
    // A checkpoint copies each page the WAL holds back into the file once, however often it
    // changed: checkpointing every 10,000 pages (~40 MB) instead of 1,000 copies the busy index
    // pages a tenth as often.
    if (!inline) this.connection.pragma('wal_autocheckpoint = 10000');
    // Queries read pages straight from the OS page cache instead of copying each through a
    // read() into SQLite's own cache: measured at 50k deliveries, a participant's four lookups
    // took ~30-50% less. Not while building: those pages would count against the rebuild's memory.
    if (!this.building && !('inMemory' in location)) {
      this.connection.pragma(`mmap_size = ${QUERY_MMAP_BYTES}`);
    }
    this.outdated = this.migrate();
    this.connection.exec(READ_MODEL_TABLES);
    if (this.building) {
      for (const index of READ_MODEL_INDEX_NAMES)
        this.connection.exec(`DROP INDEX IF EXISTS ${index}`);
    } else if (!this.outdated) {
      this.connection.exec(READ_MODEL_INDEXES);
    }
    if (this.building) {
      this.written = new DocumentFilter();
      this.unfiltered = this.presentCollections();
    }
    this.writer = this.building && !inline ? new BuildingWriter(file) : undefined;
    this.statements = {
      document: this.connection.prepare<[string, string], { body: string }>(
        'SELECT body FROM documents WHERE collection = ? AND key = ?',
      ),
      hasDocument: this.connection.prepare<[string, string], { found: bigint }>(
        'SELECT 1 AS found FROM documents WHERE collection = ? AND key = ?',
      ),
      putDocument: this.connection.prepare(
        `INSERT INTO documents (collection, key, body) VALUES (?, ?, ?)
         ON CONFLICT (collection, key) DO UPDATE SET body = excluded.body`,
      ),
      putEntry: this.connection.prepare(
        `INSERT INTO ledger_entries (projection, position, seq, entity_kind, entity_key, owner_key,
           outcome, event_id, stream_id, provider_type, received_at, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      putError: this.connection.prepare(
        'INSERT OR REPLACE INTO projection_errors (projection, position, event_id, message) VALUES (?, ?, ?, ?)',
      ),
      putNotUnderstood: this.connection.prepare(
        `INSERT OR REPLACE INTO not_understood (projection, position, event_id, event_type, reason)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      putCheckpoint: this.connection.prepare(
        `INSERT OR REPLACE INTO projection_checkpoints
           (projection, version, position, handled, not_understood, failed) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      checkpoints: this.connection.prepare<[], CheckpointRow>(
        'SELECT projection, version, position, handled, not_understood, failed FROM projection_checkpoints',
      ),
    };
  }

  /**
   * Read models are a cache of the log. A file written by an older schema
   * version that holds projected data is kept and marked `outdated`: it can
   * still be read, and the service rebuilds every projection beside it. Any
   * other file of another version is emptied and projected again.
   */
  private migrate(): boolean {
    const version = Number(this.connection.pragma('user_version', { simple: true }));
    if (version === READ_MODEL_SCHEMA_VERSION) return false;
    const projected =
      this.connection
        .prepare(
          `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projection_checkpoints'`,
        )
        .get() !== undefined &&
      this.connection
        .prepare('SELECT 1 FROM projection_checkpoints WHERE position IS NOT NULL')
        .get() !== undefined;
    if (projected && !this.building && version < READ_MODEL_SCHEMA_VERSION) return true;
    this.connection.transaction(() => {
      for (const table of READ_MODEL_TABLE_NAMES)
        this.connection.exec(`DROP TABLE IF EXISTS ${table}`);
      this.connection.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION}`);
    })();
    return false;
  }

  /** The collections holding documents, one index seek each. */
  private presentCollections(): Set<string> {
    const next = this.connection.prepare<[string], { c: string | null }>(
      'SELECT min(collection) AS c FROM documents WHERE collection > ?',
    );
    const present = new Set<string>();
    for (let row = next.get(''); row?.c != null; row = next.get(row.c)) present.add(row.c);
    return present;
  }

  /**
   * The SQLite connection, for reading the file directly. While building,
   * asking for it first commits what the writer thread was handed, so that the
   * file holds everything this store was given.
   */
  get db(): Database.Database {
    if (this.connection.open) this.writer?.settle();
    return this.connection;
  }

  loadDocument(ref: DocumentRef): DocumentBody | undefined {
    const id = documentId(ref);
    // Evicted from `recent` but not yet committed by the writer thread: the file would be stale.
    let body: DocumentBody | null | undefined = this.recent.get(id);
    if (body === undefined) body = this.writer?.pendingBody(id);
    if (body === undefined) {
      const text =
        this.written?.mightHave(id) === false && !this.unfiltered.has(ref.collection)
          ? undefined
          : this.statements.document.get(ref.collection, ref.key)?.body;
      body = text === undefined ? null : (JSON.parse(text) as DocumentBody);
      this.recent.set(id, body);
    }
    return body ?? undefined;
  }

  /** While building a file: the writer thread's time writing, and the fold's time waiting for it. */
  get writerTimings(): { readonly writingMs: number; readonly waitingMs: number } | undefined {
    return this.writer?.timings;
  }

  /** A document as stored (canonical JSON), bypassing the fold cache: what queries answer with. */
  readDocument(ref: DocumentRef): DocumentBody | undefined {
    const text = this.statements.document.get(ref.collection, ref.key)?.body;
    return text === undefined ? undefined : (JSON.parse(text) as DocumentBody);
  }

  /** Whether a document is stored, without reading its body. */
  hasDocument(ref: DocumentRef): boolean {
    return this.statements.hasDocument.get(ref.collection, ref.key) !== undefined;
  }

  checkpoints(): Map<string, Checkpoint> {
    this.writer?.settle();
    return new Map(
      this.statements.checkpoints.all().map((row) => [
        row.projection,
        {
          projection: row.projection,
          version: Number(row.version),
          position: row.position,
          handled: row.handled,
          notUnderstood: row.not_understood,
          failed: row.failed,
        },
      ]),
    );
  }

  commit(batch: Batch): void {
    if (this.writer !== undefined) {
      this.handOver(this.writer, batch);
      return;
    }
    const s = this.statements;
    // While building, the open transaction makes this a savepoint: a batch that fails leaves nothing behind.
    if (this.building && !this.connection.inTransaction) this.connection.exec('BEGIN');
    this.connection.transaction(() => {
      for (const doc of batch.documents) {
        s.putDocument.run(doc.collection, doc.key, canonicalJson(doc.body));
      }
      for (const e of batch.entries) {
        s.putEntry.run(
          e.projection,
          e.position,
          e.seq,
          e.entityKind,
          e.entityKey,
          e.ownerKey,
          e.outcome,
          e.eventId,
          e.streamId,
          e.providerType,
          e.receivedAt,
          canonicalJson(e.detail),
        );
      }
      for (const e of batch.errors) s.putError.run(e.projection, e.position, e.eventId, e.message);
      for (const n of batch.notUnderstood) {
        s.putNotUnderstood.run(n.projection, n.position, n.eventId, n.eventType ?? '', n.message);
      }
      for (const c of batch.checkpoints) {
        s.putCheckpoint.run(
          c.projection,
          c.version,
          c.position,
          c.handled,
          c.notUnderstood,
          c.failed,
        );
      }
    })();
    for (const doc of batch.documents) {
      const id = documentId(doc);
      this.recent.set(id, doc.body);
      this.written?.add(id);
    }
    if (this.building) {
      this.batchesInTransaction += 1;
      if (this.batchesInTransaction >= BUILDING_BATCHES_PER_TRANSACTION) this.commitBuilding();
      return;
    }
    this.writtenSinceAnalyze += batch.documents.length;
    if (this.writtenSinceAnalyze >= ANALYZE_EVERY_DOCUMENTS || !this.analyzed) {
      this.connection.exec('ANALYZE');
      this.writtenSinceAnalyze = 0;
      this.analyzed = true;
    }
  }

  /**
   * While building a file: the batch serialized here, written by the writer
   * thread. Packed into one string and its field lengths: handing over one
   * string costs a copy, handing over thousands costs more than writing them.
   */
  private handOver(writer: BuildingWriter, batch: Batch): void {
    const fields = new PackedFields();
    const written = new Map<string, DocumentBody>();
    for (const doc of batch.documents) {
      fields.add(doc.collection, doc.key, canonicalJson(doc.body));
      written.set(documentId(doc), doc.body);
    }
    for (const e of batch.entries) {
      fields.add(
        e.projection,
        String(e.position),
        String(e.seq),
        e.entityKind,
        e.entityKey,
        e.ownerKey,
        e.outcome,
        e.eventId,
        e.streamId,
        e.providerType,
        e.receivedAt,
        canonicalJson(e.detail),
      );
    }
    for (const e of batch.errors)
      fields.add(e.projection, String(e.position), e.eventId, e.message);
    for (const n of batch.notUnderstood) {
      fields.add(n.projection, String(n.position), n.eventId, n.eventType ?? '', n.message);
    }
    for (const c of batch.checkpoints) {
      fields.add(
        c.projection,
        String(c.version),
        c.position === null ? null : String(c.position),
        String(c.handled),
        String(c.notUnderstood),
        String(c.failed),
      );
    }
    writer.write(
      {
        ...fields.pack(),
        counts: [
          batch.documents.length,
          batch.entries.length,
          batch.errors.length,
          batch.notUnderstood.length,
          batch.checkpoints.length,
        ],
      },
      written,
    );
    for (const [id, body] of written) {
      this.recent.set(id, body);
      this.written?.add(id);
    }
  }

  /**
   * After a commit failed: drops what is not committed (while building, the
   * batches of the open transaction, which SQLite may already have rolled back
   * on a full disk) and the parsed documents that may include them, so that
   * the runner folds again from the checkpoints this file holds.
   */
  discardUncommitted(): void {
    this.recent.clear();
    this.writer?.discard();
    this.batchesInTransaction = 0;
    if (this.connection.open && this.connection.inTransaction) this.connection.exec('ROLLBACK');
  }

  /** Forgets everything a projection wrote, so it replays from the start of the log. */
  reset(projection: string, version: number, collections: readonly string[]): void {
    this.writer?.settle();
    this.recent.clear();
    this.connection.transaction(() => {
      const remove = this.connection.prepare('DELETE FROM documents WHERE collection = ?');
      for (const collection of collections) remove.run(collection);
      for (const table of ['ledger_entries', 'projection_errors', 'not_understood']) {
        this.connection.prepare(`DELETE FROM ${table} WHERE projection = ?`).run(projection);
      }
      this.statements.putCheckpoint.run(projection, version, null, 0, 0, 0);
    })();
  }

  recentErrors(projection: string, limit: number): ProblemRow[] {
    // A generation closed by a stop or a failed rebuild still reports its counters.
    if (!this.connection.open) return [];
    return this.connection
      .prepare<[string, number], { position: bigint; event_id: string; message: string }>(
        `SELECT position, event_id, message FROM projection_errors
         WHERE projection = ? ORDER BY position DESC LIMIT ?`,
      )
      .all(projection, limit)
      .map((row) => ({
        projection,
        position: row.position,
        eventId: row.event_id,
        message: row.message,
      }));
  }

  /** While building: makes what the batches wrote part of the file (closing does it too). */
  private commitBuilding(): void {
    if (this.connection.inTransaction) this.connection.exec('COMMIT');
    this.batchesInTransaction = 0;
  }

  /**
   * While building, what the writer thread could not commit is left out: the
   * file's checkpoints then stand before it, and whoever opens the file next
   * (the catching-up of a rebuild) folds those events again.
   */
  close(): void {
    if (!this.connection.open) return;
    try {
      this.writer?.close();
      if (this.building && this.writer === undefined) this.commitBuilding();
    } finally {
      this.connection.close();
    }
  }
}

interface CheckpointRow {
  readonly projection: string;
  readonly version: bigint;
  readonly position: bigint | null;
  readonly handled: bigint;
  readonly not_understood: bigint;
  readonly failed: bigint;
}

/**
 * A bounded cache in two generations: hits in the older one move to the
 * younger; when the younger is full, the older is dropped whole. Constant time
 * per operation, without the cost of evicting one entry at a time from a Map.
 */
class RecentDocuments {
  private young = new Map<string, DocumentBody | null>();
  private old = new Map<string, DocumentBody | null>();

  constructor(private readonly limit: number) {}

  get(id: string): DocumentBody | null | undefined {
    const hit = this.young.get(id);
    if (hit !== undefined) return hit;
    const aged = this.old.get(id);
    if (aged !== undefined) this.set(id, aged);
    return aged;
  }

  set(id: string, body: DocumentBody | null): void {
    this.young.set(id, body);
    if (this.young.size >= this.limit) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }
}

/**
 * A Bloom filter over document ids: "no" is certain, "maybe" costs a lookup.
 * Sized for ~4M ids at ~1% false positives (4 MiB); past that it only says
 * "maybe" more often, never wrongly "no".
 */
class DocumentFilter {
  private static readonly BITS = 1 << 25;
  private static readonly PROBES = 7;
  private readonly bits = new Uint32Array(DocumentFilter.BITS >>> 5);

  add(id: string): void {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < DocumentFilter.PROBES; i += 1) {
      const bit = (h1 + Math.imul(i, h2)) & (DocumentFilter.BITS - 1);
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
  }

  mightHave(id: string): boolean {
    const [h1, h2] = hashes(id);
    for (let i = 0; i < DocumentFilter.PROBES; i += 1) {
      const bit = (h1 + Math.imul(i, h2)) & (DocumentFilter.BITS - 1);
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a hashes (different offset bases), the second made odd. */
function hashes(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return [a >>> 0, (b >>> 0) | 1];
}
