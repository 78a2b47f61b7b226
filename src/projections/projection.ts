/**
 * What a projection is: a name, a code version, the collections it owns, and a
 * pure `plan` that says which documents an event touches and how they evolve.
 * The runner loads those documents, calls `evolve`, and persists the result
 * together with the checkpoint; projections never do I/O.
 */
import type { Cause } from '../ledger/reward-ledger';
import type { CanonicalValue } from '../ledger/canonical-json';
import type { WebhookFacts } from '../ledger/webhook-facts';

export type DocumentBody = { readonly [key: string]: CanonicalValue | undefined };

export interface DocumentRef {
  readonly collection: string;
  readonly key: string;
}

export interface StoredDocument extends DocumentRef {
  readonly body: DocumentBody;
}

/** What became of one change to one entity: the audit trail explains every balance with these. */
export type EntryOutcome = 'applied' | 'unchanged' | 'duplicate' | 'superseded';

export interface LedgerEntryDraft {
  readonly entityKind: string;
  readonly entityKey: string;
  /** The participant whose balance or history the entry belongs to, when there is one. */
  readonly ownerKey: string | null;
  readonly outcome: EntryOutcome;
  readonly detail: DocumentBody;
}

export interface Evolution {
  /** Documents whose body changed (deletions are kept as tombstones: ordering needs them). */
  readonly documents: readonly StoredDocument[];
  readonly entries: readonly LedgerEntryDraft[];
}

export type Plan =
  | {
      readonly kind: 'apply';
      readonly evolve: (documents: DocumentLookup) => Evolution;
      /**
       * Parts of the event this projection could not read (a malformed amount):
       * the rest applies, and the event is also recorded as not understood, with these.
       */
      readonly problems?: readonly string[];
    }
  /** The delivery is kept in the log but nothing here can read it. */
  | { readonly kind: 'not-understood'; readonly reason: string }
  /** Understood, and of no concern to this projection. */
  | { readonly kind: 'ignored' };

export type DocumentLookup = (ref: DocumentRef) => DocumentBody | undefined;

export interface ProjectedEvent {
  readonly cause: Cause;
  readonly webhook: WebhookFacts;
}

export interface Projection {
  readonly name: string;
  /** Bumped when the code changes what documents look like: the read model is then rebuilt. */
  readonly version: number;
  readonly collections: readonly string[];
  plan(event: ProjectedEvent): Plan;
}

export function documentId(ref: DocumentRef): string {
  return `${ref.collection}\u0000${ref.key}`;
}

export const IGNORED: Plan = { kind: 'ignored' };

export function notUnderstood(reason: string): Plan {
  return { kind: 'not-understood', reason };
}
