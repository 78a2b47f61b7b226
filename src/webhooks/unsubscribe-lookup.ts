/**
 * Talkable asks "is this address unsubscribed?" before every email and wants
 * the answer in the response. The answer comes from the unsubscribe webhooks
 * recorded so far.
 */
export interface UnsubscribeLookup {
  isUnsubscribed(site: string | null, email: string, recordedUpTo: bigint): Promise<boolean>;
}

export const UNSUBSCRIBE_LOOKUP = Symbol('UNSUBSCRIBE_LOOKUP');
