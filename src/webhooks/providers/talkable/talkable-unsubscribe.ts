import type { WebhookReceived } from '../../../ledger/webhook-received';
import { objectAt, textAt } from '../shared/json-access';

/** The address Talkable asks about in a `check_unsubscribe_web_hook`, lower-cased; else null. */
export function checkUnsubscribeEmailOf(event: WebhookReceived): string | null {
  if (event.provider !== 'talkable' || event.providerEventType !== 'check_unsubscribe_web_hook')
    return null;
  return textAt(objectAt(event.payload, 'recipient'), 'email')?.toLowerCase() ?? null;
}

/** The address an `unsubscribe_web_hook` unsubscribes, lower-cased; else null. */
export function unsubscribeEmailOf(event: WebhookReceived): string | null {
  if (event.provider !== 'talkable' || event.providerEventType !== 'unsubscribe_web_hook')
    return null;
  return textAt(objectAt(event.payload, 'person'), 'email')?.toLowerCase() ?? null;
}
