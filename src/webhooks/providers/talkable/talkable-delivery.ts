/** What Talkable deliveries mean: the nine legacy types and their natural keys (providers.md §2.4, §2.7). */
import type { JsonObject } from '../../../event-store/event-store.port';
import type { EntityRef } from '../../../ledger/webhook-received';
import { contentHash, objectAt, textAt } from '../shared/json-access';

export const TALKABLE_TYPES = [
  'referral_web_hook',
  'reward_web_hook',
  'post_share_web_hook',
  'offer_signup_web_hook',
  'claim_signup_web_hook',
  'unsubscribe_web_hook',
  'check_unsubscribe_web_hook',
  'create_coupon_web_hook',
  'event_web_hook',
] as const;

export type TalkableType = (typeof TALKABLE_TYPES)[number];

export function isTalkableType(type: string): type is TalkableType {
  return (TALKABLE_TYPES as readonly string[]).includes(type);
}

export interface TalkableFacts {
  readonly entity: EntityRef;
  readonly dedupeKey: string;
}

/**
 * Talkable sends no delivery id. Keys are natural where the payload has one;
 * shares and unsubscribe checks have none, so they fall back to a hash of the
 * canonical payload (a genuine repeat then counts once: accepted, see §2.7).
 */
export function describeTalkable(site: string, type: string, payload: JsonObject): TalkableFacts {
  const scope = `talkable:${site}`;
  const hashed = (kind: string): TalkableFacts => ({
    entity: { fqdn: `talkable.${kind}`, id: null, sequence: null },
    dedupeKey: `${scope}:${type}:${contentHash(payload)}`,
  });
  const keyed = (
    kind: string,
    id: string | undefined,
    key: (id: string) => string,
  ): TalkableFacts =>
    id === undefined
      ? hashed(kind)
      : { entity: { fqdn: `talkable.${kind}`, id, sequence: null }, dedupeKey: key(id) };

  if (!isTalkableType(type)) return hashed('unknown');
  switch (type) {
    case 'reward_web_hook': {
      const reward = objectAt(payload, 'reward');
      const status = textAt(reward, 'status') ?? '-';
      return keyed('reward', textAt(reward, 'id'), (id) => `${scope}:reward:${id}:${status}`);
    }
    case 'referral_web_hook':
      // One approval per referred origin (the friend's purchase or event).
      return keyed(
        'referral',
        textAt(objectAt(payload, 'referred_origin'), 'id'),
        (id) => `${scope}:referral:${id}`,
      );
    case 'event_web_hook':
      return keyed(
        'origin',
        textAt(objectAt(payload, 'origin'), 'id'),
        (id) => `${scope}:event:${id}`,
      );
    case 'create_coupon_web_hook': {
      const list = textAt(payload, 'coupon_list_id');
      const code = textAt(payload, 'coupon_code');
      return keyed(
        'coupon',
        code === undefined || list === undefined ? undefined : `${list}:${code}`,
        (id) => `${scope}:create_coupon:${id}`,
      );
    }
    case 'offer_signup_web_hook':
    case 'claim_signup_web_hook': {
      const offer = textAt(objectAt(payload, 'offer'), 'short_url_code');
      const email = textAt(payload, 'email')?.toLowerCase();
      return keyed('person', email, (id) => `${scope}:${type}:${offer ?? '-'}:${id}`);
    }
    case 'unsubscribe_web_hook': {
      const person = objectAt(payload, 'person');
      const email = textAt(person, 'email')?.toLowerCase();
      const at = textAt(person, 'unsubscribed_at') ?? '-';
      return keyed('person', email, (id) => `${scope}:unsubscribe:${id}:${at}`);
    }
    case 'post_share_web_hook':
      return hashed('share');
    case 'check_unsubscribe_web_hook':
      return hashed('person');
    default:
      return hashed('unknown');
  }
}
