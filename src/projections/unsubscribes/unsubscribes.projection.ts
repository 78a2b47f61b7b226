/**
 * Talkable unsubscribes per (site, email), kept apart from the ledger so that
 * `check_unsubscribe_web_hook` is answered even if the ledger projection fails
 * on some event. Only a key-verified legacy `unsubscribe_web_hook` counts.
 */
import { emailAt, objectAt, textAt } from '../../ledger/json';
import { IGNORED, notUnderstood, type Projection } from '../projection';

export const UNSUBSCRIBES = 'unsubscribe';

export type UnsubscribeDoc = {
  readonly key: string;
  readonly site: string | null;
  readonly email: string;
  readonly unsubscribedAt: string | null;
  readonly eventId: string;
};

export function unsubscribeKey(site: string | null, email: string): string {
  return `talkable:${site ?? '-'}:${email.trim().toLowerCase()}`;
}

export const unsubscribesProjection: Projection = {
  name: 'unsubscribes',
  version: 2,
  collections: [UNSUBSCRIBES],
  plan({ webhook, cause }) {
    if (webhook.provider !== 'talkable' || webhook.providerEventType !== 'unsubscribe_web_hook') {
      return IGNORED;
    }
    const person = objectAt(webhook.payload, 'person');
    const email = emailAt(person, 'email');
    if (email === null) return notUnderstood('unsubscribe without person.email');
    const ref = { collection: UNSUBSCRIBES, key: unsubscribeKey(webhook.tenantId, email) };
    return {
      kind: 'apply',
      evolve(lookup) {
        // The first unsubscribe is the fact; later ones repeat it.
        if (lookup(ref) !== undefined) return { documents: [], entries: [] };
        const doc: UnsubscribeDoc = {
          key: ref.key,
          site: webhook.tenantId,
          email,
          unsubscribedAt: textAt(person, 'unsubscribed_at'),
          eventId: cause.eventId,
        };
        return { documents: [{ ...ref, body: doc }], entries: [] };
      },
    };
  },
};
