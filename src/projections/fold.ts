/**
 * Folds a batch of events into what one transaction will write. Pure apart from
 * reading documents through `load`; a projection that throws on an event gets
 * the error recorded against that event and moves on, the others are unaffected.
 */
import type { RecordedEvent } from '../event-store/event-store.port';
import {
  documentId,
  type DocumentBody,
  type DocumentRef,
  type LedgerEntryDraft,
  type Projection,
  type StoredDocument,
} from './projection';
import { readWebhookEventType } from '../ledger/webhook-received';
import { readWebhookEvent } from './webhook-event';

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

/** A projection's progress through one batch, counted in plain numbers and added up at the end. */
interface Progress {
  readonly projection: Projection;
  readonly from: Checkpoint;
  position: bigint | null;
  handled: number;
  notUnderstood: number;
  failed: number;
}

export function foldBatch(
  events: readonly RecordedEvent[],
  projections: readonly Projection[],
  checkpoints: ReadonlyMap<string, Checkpoint>,
  load: (ref: DocumentRef) => DocumentBody | undefined,
): Batch {
  const documents = new Map<string, StoredDocument>();
  const entries: EntryRow[] = [];
  const errors: ProblemRow[] = [];
  const notUnderstood: ProblemRow[] = [];
  const lookup = (ref: DocumentRef): DocumentBody | undefined =>
    documents.get(documentId(ref))?.body ?? load(ref);
  const progress: Progress[] = [];
  for (const projection of projections) {
    const from = checkpoints.get(projection.name);
    if (from === undefined) continue;
    progress.push({
      projection,
      from,
      position: from.position,
      handled: 0,
      notUnderstood: 0,
      failed: 0,
    });
  }

  for (const event of events) {
    const projected = readWebhookEvent(event);
    for (const p of progress) {
      if (p.position !== null && event.position <= p.position) continue;
      const { projection } = p;
      p.position = event.position;
      try {
        const plan =
          'error' in projected
            ? { kind: 'not-understood' as const, reason: projected.error }
            : projection.plan(projected);
        if (plan.kind === 'not-understood') {
          p.notUnderstood += 1;
          notUnderstood.push({
            projection: projection.name,
            position: event.position,
            eventId: event.id,
            eventType: readWebhookEventType(event.type),
            message: plan.reason,
          });
          continue;
        }
        if (plan.kind === 'apply' && 'cause' in projected) {
          const evolution = plan.evolve(lookup);
          if (plan.problems !== undefined && plan.problems.length > 0) {
            p.notUnderstood += 1;
            notUnderstood.push({
              projection: projection.name,
              position: event.position,
              eventId: event.id,
              eventType: readWebhookEventType(event.type),
              message: plan.problems.join('; '),
            });
          }
          for (const doc of evolution.documents) documents.set(documentId(doc), doc);
          const { cause } = projected;
          for (let seq = 0; seq < evolution.entries.length; seq += 1) {
            const entry = evolution.entries[seq] as LedgerEntryDraft;
            entries.push({
              entityKind: entry.entityKind,
              entityKey: entry.entityKey,
              ownerKey: entry.ownerKey,
              outcome: entry.outcome,
              detail: entry.detail,
              projection: projection.name,
              position: event.position,
              seq,
              eventId: cause.eventId,
              streamId: cause.streamId,
              providerType: cause.providerType,
              receivedAt: cause.receivedAt,
            });
          }
        }
        p.handled += 1;
      } catch (error) {
        p.failed += 1;
        errors.push({
          projection: projection.name,
          position: event.position,
          eventId: event.id,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
  return {
    documents: [...documents.values()],
    entries,
    errors,
    notUnderstood,
    checkpoints: progress.map((p): Checkpoint => ({
      ...p.from,
      position: p.position,
      handled: p.from.handled + BigInt(p.handled),
      notUnderstood: p.from.notUnderstood + BigInt(p.notUnderstood),
      failed: p.from.failed + BigInt(p.failed),
    })),
  };
}
