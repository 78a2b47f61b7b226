/**
 * Given/when/then for projections, without a database: the same plan/evolve the
 * runner uses, folded over an in-memory document map.
 */
import type { RecordedEvent } from '../../event-store/event-store.port';
import { canonicalJson } from '../../ledger/canonical-json';
import {
  documentId,
  type DocumentBody,
  type DocumentRef,
  type EntryOutcome,
  type Projection,
} from '../projection';
import { readWebhookEvent } from '../webhook-event';

export interface RecordedEntry {
  readonly projection: string;
  readonly position: bigint;
  readonly eventId: string;
  /** The delivery's event type as the ledger entries name it. */
  readonly providerType: string;
  readonly entityKind: string;
  readonly entityKey: string;
  readonly ownerKey: string | null;
  readonly outcome: EntryOutcome;
}

export class InMemoryProjector {
  readonly documents = new Map<string, DocumentBody>();
  readonly entries: RecordedEntry[] = [];
  readonly notUnderstood: { projection: string; position: bigint; reason: string }[] = [];

  constructor(private readonly projections: readonly Projection[]) {}

  apply(...events: readonly RecordedEvent[]): this {
    for (const event of events) {
      const projected = readWebhookEvent(event);
      for (const projection of this.projections) {
        if ('error' in projected) {
          this.notUnderstood.push({
            projection: projection.name,
            position: event.position,
            reason: projected.error,
          });
          continue;
        }
        const plan = projection.plan(projected);
        if (plan.kind === 'not-understood') {
          this.notUnderstood.push({
            projection: projection.name,
            position: event.position,
            reason: plan.reason,
          });
        }
        if (plan.kind !== 'apply') continue;
        const evolution = plan.evolve((ref) => this.documents.get(documentId(ref)));
        if (plan.problems !== undefined && plan.problems.length > 0) {
          this.notUnderstood.push({
            projection: projection.name,
            position: event.position,
            reason: plan.problems.join('; '),
          });
        }
        for (const doc of evolution.documents) this.documents.set(documentId(doc), doc.body);
        for (const entry of evolution.entries) {
          this.entries.push({
            ...entry,
            projection: projection.name,
            position: event.position,
            eventId: event.id,
            providerType: projected.cause.providerType,
          });
        }
      }
    }
    return this;
  }

  get(collection: string, key: string): DocumentBody | undefined {
    return this.documents.get(documentId({ collection, key }));
  }

  all(collection: string): DocumentBody[] {
    return [...this.documents.entries()]
      .filter(([id]) => id.startsWith(`${collection}\u0000`))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, body]) => body);
  }

  /** Every document in canonical JSON, sorted: equal text means equal read models. */
  snapshot(): string {
    return [...this.documents.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, body]) => `${id}=${canonicalJson(body)}`)
      .join('\n');
  }
}

export function given(projections: readonly Projection[], history: readonly RecordedEvent[] = []) {
  const projector = new InMemoryProjector(projections).apply(...history);
  return {
    when: (...events: readonly RecordedEvent[]) => {
      projector.apply(...events);
      return {
        then: (ref: DocumentRef, expected: DocumentBody): InMemoryProjector => {
          expect(projector.get(ref.collection, ref.key)).toMatchObject(expected);
          return projector;
        },
        thenNoDocument: (ref: DocumentRef): InMemoryProjector => {
          expect(projector.get(ref.collection, ref.key)).toBeUndefined();
          return projector;
        },
        projector,
      };
    },
  };
}
