/**
 * What the ingest path needs to answer `check_unsubscribe_web_hook` synchronously
 * with `{"unsubscribed": <bool>}`: the address an unsubscribe recorded, and the
 * address a check asks about, both lower-cased so that they compare.
 */
import type { WebhookReceived } from '../../ledger/webhook-received';
import { objectAt } from '../../ledger/json';
import { emailKeyAt } from './talkable-dedupe';
import type { TalkableType } from './talkable-types';

/** The address Talkable asks about in a `check_unsubscribe_web_hook` (`recipient.email`); else null. */
export function checkUnsubscribeEmailOf(event: WebhookReceived): string | null {
  if (!isLegacy(event, 'check_unsubscribe_web_hook')) return null;
  return emailKeyAt(objectAt(event.payload, 'recipient'), 'email') ?? null;
}

/** The address an `unsubscribe_web_hook` unsubscribes (`person.email`); else null. */
export function unsubscribeEmailOf(event: WebhookReceived): string | null {
  if (!isLegacy(event, 'unsubscribe_web_hook')) return null;
  return emailKeyAt(objectAt(event.payload, 'person'), 'email') ?? null;
}

/** Only a key-verified legacy webhook of that type counts, never a Custom App look-alike. */
function isLegacy(event: WebhookReceived, type: TalkableType): boolean {
  return (
    event.provider === 'talkable' &&
    event.providerEventType === type &&
    event.verification.method === 'talkable-key'
  );
}
