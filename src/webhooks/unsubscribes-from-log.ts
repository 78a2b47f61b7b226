/**
 * Answers Talkable's unsubscribe check from the log itself: every recorded
 * `unsubscribe_web_hook` of the site, up to the check's own position. Reading
 * the log (not a read model) means no projection lag can answer "subscribed"
 * for an address whose unsubscribe was already acknowledged.
 */
import type { EventStore } from '../event-store/event-store.port';
import { webhookEventType, type WebhookReceived } from '../ledger/webhook-received';
import { unsubscribeEmailOf } from './providers/talkable/talkable-unsubscribe';
import type { UnsubscribeLookup } from './unsubscribe-lookup';

const PAGE = 500;

export function unsubscribesFromLog(store: EventStore): UnsubscribeLookup {
  return {
    async isUnsubscribed(site, email, recordedUpTo) {
      const filter = { eventTypePrefixes: [webhookEventType('talkable', 'unsubscribe_web_hook')] };
      let after: bigint | undefined;
      for (;;) {
        const page = await store.readAll({ after, maxCount: PAGE, filter });
        for (const event of page.events) {
          if (event.position > recordedUpTo) return false;
          const delivery = event.data as unknown as WebhookReceived;
          if (delivery.tenantId === site && unsubscribeEmailOf(delivery) === email) return true;
        }
        if (page.next === undefined) return false;
        after = page.next;
      }
    },
  };
}
