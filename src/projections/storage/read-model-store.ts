/**
 * Storage of the read models in an embedded SQLite file (or in memory for
 * tests), also when the log is EventStoreDB: they are a disposable cache.
 * `commit` writes a batch's documents, entries and checkpoints in one
 * transaction, so a crash never applies an event twice or skips one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '../canonical-json';
import {
  documentId,
  type DocumentBody,
  type DocumentRef,
  type LedgerEntryDraft,
  type StoredDocument,
} from '../projection';
import { READ_MODEL_SCHEMA } from './read-model-schema';

/** Documents whose latest text is kept in memory (participants and campaigns recur). */
const RECENT_DOCUMENTS = 20_000;
/** Refresh the planner's statistics as the read models grow (ANALYZE is bounded by analysis_limit). */
const ANALYZE_EVERY_DOCUMENTS = 50_000;

export type ReadModelLocation =
  { readonly directory: string; readonly fileName?: string } | { readonly inMemory: true };

export const DEFAULT_READ_MODEL_FILE = 'read-models.sqlite';

export interface Checkpoint {
  readonly projection: string;
  readonly version: number;
  readonly position: bigint | null;
  readonly handled: bigint;
  readonly notUnderstood: bigint;
  readonly failed: bigint;
}

export interface EntryRow extends LedgerEntryDraft {
  readonly projection: string;
  readonly position: bigint;
  readonly seq: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly providerType: string;
  readonly receivedAt: string;
}

export interface ProblemRow {
  readonly projection: string;
  readonly position: bigint;
  readonly eventId: string;
  /** The error message, or why the event was not understood. */
  readonly message: string;
  readonly eventType?: string;
}

export interface Batch {
  readonly documents: readonly StoredDocument[];
  readonly entries: readonly EntryRow[];
  readonly errors: readonly ProblemRow[];
  readonly notUnderstood: readonly ProblemRow[];
  readonly checkpoints: readonly Checkpoint[];
}

export class ReadModelStore {
  readonly db: Database.Database;
  private readonly statements;
  private readonly recent = new Map<string, string | null>();
  private writtenSinceAnalyze = 0;
  private analyzed = false;

  constructor(location: ReadModelLocation) {
    const file =
      'inMemory' in location
        ? ':memory:'
        : join(location.directory, location.fileName ?? DEFAULT_READ_MODEL_FILE);
    if (!('inMemory' in location)) mkdirSync(location.directory, { recursive: true });
    this.db = new Database(file);
    this.db.defaultSafeIntegers(true);
    this.db.pragma('journal_mode = WAL');
    // The checkpoint commits with the documents: losing the last transactions on
    // power loss only means replaying them, so NORMAL is safe here.
    this.db.pragma('synchronous = NORMAL');
    // Bounded statistics: without them SQLite ignores the expression indexes
    // and scans every referral and reward per participant lookup.
    this.db.pragma('analysis_limit = 1000');
    this.db.pragma('cache_size = -65536');
    this.db.exec(READ_MODEL_SCHEMA);
    this.statements = {
      document: this.db.prepare<[string, string], { body: string }>(
        'SELECT body FROM documents WHERE collection = ? AND key = ?',
      ),
      putDocument: this.db.prepare(
        'INSERT OR REPLACE INTO documents (collection, key, body) VALUES (?, ?, ?)',
      ),
      putEntry: this.db.prepare(
        `INSERT INTO ledger_entries (projection, position, seq, entity_kind, entity_key, owner_key,
           outcome, event_id, stream_id, provider_type, received_at, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      putError: this.db.prepare(
        'INSERT OR REPLACE INTO projection_errors (projection, position, event_id, message) VALUES (?, ?, ?, ?)',
      ),
      putNotUnderstood: this.db.prepare(
        `INSERT OR REPLACE INTO not_understood (projection, position, event_id, event_type, reason)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      putCheckpoint: this.db.prepare(
        `INSERT OR REPLACE INTO projection_checkpoints
           (projection, version, position, handled, not_understood, failed) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      checkpoints: this.db.prepare<[], CheckpointRow>(
        'SELECT projection, version, position, handled, not_understood, failed FROM projection_checkpoints',
      ),
    };
  }

  loadDocument(ref: DocumentRef): DocumentBody | undefined {
    const id = documentId(ref);
    let text = this.recent.get(id);
    if (text === undefined) {
      text = this.statements.document.get(ref.collection, ref.key)?.body ?? null;
      this.remember(id, text);
    }
    return text === null ? undefined : (JSON.parse(text) as DocumentBody);
  }

  /**
   * This store is the only writer of its documents, so the text it last wrote
   * or read is current: live folding skips the lookup for recently touched ones.
   */
  private remember(id: string, text: string | null): void {
    if (this.recent.size >= RECENT_DOCUMENTS)
      this.recent.delete(this.recent.keys().next().value as string);
    this.recent.set(id, text);
  }

  checkpoints(): Map<string, Checkpoint> {
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
    const s = this.statements;
    const written: [string, string][] = [];
    this.db.transaction(() => {
      for (const doc of batch.documents) {
        const text = canonicalJson(doc.body);
        s.putDocument.run(doc.collection, doc.key, text);
        written.push([documentId(doc), text]);
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
    for (const [id, text] of written) this.remember(id, text);
    this.writtenSinceAnalyze += written.length;
    if (this.writtenSinceAnalyze >= ANALYZE_EVERY_DOCUMENTS || !this.analyzed) {
      this.db.exec('ANALYZE');
      this.writtenSinceAnalyze = 0;
      this.analyzed = true;
    }
  }

  /** Forgets everything a projection wrote, so it replays from the start of the log. */
  reset(projection: string, version: number, collections: readonly string[]): void {
    this.recent.clear();
    this.db.transaction(() => {
      const remove = this.db.prepare('DELETE FROM documents WHERE collection = ?');
      for (const collection of collections) remove.run(collection);
      for (const table of ['ledger_entries', 'projection_errors', 'not_understood']) {
        this.db.prepare(`DELETE FROM ${table} WHERE projection = ?`).run(projection);
      }
      this.statements.putCheckpoint.run(projection, version, null, 0, 0, 0);
    })();
  }

  recentErrors(projection: string, limit: number): ProblemRow[] {
    return this.db
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

  close(): void {
    if (this.db.open) this.db.close();
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
