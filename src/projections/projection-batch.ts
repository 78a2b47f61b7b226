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
  type Projection,
  type StoredDocument,
} from './projection';
import type { Batch, Checkpoint, EntryRow, ProblemRow } from './storage/read-model-store';
import { readWebhookEvent } from './webhook-event';

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
  const next = new Map(checkpoints);
  const lookup = (ref: DocumentRef): DocumentBody | undefined =>
    documents.get(documentId(ref))?.body ?? load(ref);

  for (const event of events) {
    const projected = readWebhookEvent(event);
    for (const projection of projections) {
      const checkpoint = next.get(projection.name);
      if (checkpoint === undefined) continue;
      if (checkpoint.position !== null && event.position <= checkpoint.position) continue;
      let counted: 'handled' | 'notUnderstood' | 'failed' = 'handled';
      try {
        const plan =
          'error' in projected
            ? { kind: 'not-understood' as const, reason: projected.error }
            : projection.plan(projected);
        if (plan.kind === 'not-understood') {
          counted = 'notUnderstood';
          notUnderstood.push({
            projection: projection.name,
            position: event.position,
            eventId: event.id,
            eventType: event.type,
            message: plan.reason,
          });
        } else if (plan.kind === 'apply' && 'cause' in projected) {
          const evolution = plan.evolve(lookup);
          for (const doc of evolution.documents) documents.set(documentId(doc), doc);
          evolution.entries.forEach((entry, seq) => {
            const { cause } = projected;
            entries.push({
              ...entry,
              projection: projection.name,
              position: event.position,
              seq,
              eventId: cause.eventId,
              streamId: cause.streamId,
              providerType: cause.providerType,
              receivedAt: cause.receivedAt,
            });
          });
        }
      } catch (error) {
        counted = 'failed';
        errors.push({
          projection: projection.name,
          position: event.position,
          eventId: event.id,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      next.set(projection.name, {
        ...checkpoint,
        position: event.position,
        handled: checkpoint.handled + (counted === 'handled' ? 1n : 0n),
        notUnderstood: checkpoint.notUnderstood + (counted === 'notUnderstood' ? 1n : 0n),
        failed: checkpoint.failed + (counted === 'failed' ? 1n : 0n),
      });
    }
  }
  return {
    documents: [...documents.values()],
    entries,
    errors,
    notUnderstood,
    checkpoints: [...next.values()],
  };
}
