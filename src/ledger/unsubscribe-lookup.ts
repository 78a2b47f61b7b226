/**
 * Talkable asks "is this address unsubscribed?" before every email and wants
 * the answer in the response. The answer comes from the unsubscribe webhooks
 * recorded so far.
 */
export interface UnsubscribeLookup {
  isUnsubscribed(site: string | null, email: string, recordedUpTo: bigint): Promise<boolean>;
}

/** Where an unsubscribe delivery sits in the log. */
export interface RecordedUnsubscribe {
  readonly eventId: string;
  readonly position: bigint;
}

/** The lookup the intake keeps up to date: an unsubscribe is noted before it is acknowledged. */
export interface UnsubscribeIndex extends UnsubscribeLookup {
  /** Idempotent: a retried or duplicate delivery notes nothing new. */
  noteUnsubscribe(site: string | null, email: string, delivery: RecordedUnsubscribe): Promise<void>;
}

export const UNSUBSCRIBE_LOOKUP = Symbol('UNSUBSCRIBE_LOOKUP');
