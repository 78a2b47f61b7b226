/**
 * Dedupe keys and entities for legacy Talkable webhooks (docs/providers.md#talkable-dedupe).
 * Talkable sends no delivery or event id, so a key is built from the payload's
 * natural identifiers, namespaced by site and type. When a field the key needs
 * is missing, the key is the hash of the canonical payload instead: a retry
 * carries the same payload and so the same key, and nothing here throws.
 */
import type { JsonObject, JsonValue } from '../../ledger/json';
import type { EntityRef } from '../../ledger/webhook-received';
import { literalAt, objectAt } from '../../ledger/json';
import { contentHash } from '../../ledger/canonical-json';
import { isTalkableType } from './talkable-types';

export interface TalkableIdentity {
  readonly dedupeKey: string;
  readonly entity: EntityRef;
}

export function describeTalkableDelivery(
  site: string,
  type: string,
  payload: JsonObject,
): TalkableIdentity {
  const scope = `talkable:${site}`;
  /** `parts` undefined means a key field is missing: fall back to the payload hash. */
  const identity = (
    kind: string | null,
    id: string | null,
    parts: readonly (string | null)[] | undefined,
  ): TalkableIdentity => ({
    dedupeKey:
      parts !== undefined && parts.every((part) => part !== null)
        ? [scope, ...parts].join(':')
        : `${scope}:${type}:${contentHash(payload)}`,
    entity: { fqdn: kind === null ? null : `talkable.${kind}`, id: id ?? null, sequence: null },
  });

  if (!isTalkableType(type)) return identity(null, null, undefined);
  switch (type) {
    case 'reward_web_hook': {
      // The same reward is announced again when its status changes (Unpaid -> Paid/Voided).
      const reward = objectAt(payload, 'reward');
      const id = literalAt(reward, 'id');
      return identity('reward', id, ['reward', id, literalAt(reward, 'status')]);
    }
    case 'referral_web_hook': {
      // One approval per referred origin (the friend's purchase or event); see referralRewardIdsOf.
      const id = literalAt(objectAt(payload, 'referred_origin'), 'id');
      return identity('referral', id, ['referral', id]);
    }
    case 'event_web_hook': {
      const id = literalAt(objectAt(payload, 'origin'), 'id');
      return identity('origin', id, ['event', id]);
    }
    case 'create_coupon_web_hook': {
      const code = literalAt(payload, 'coupon_code');
      return identity('coupon', code, [
        'create_coupon',
        literalAt(payload, 'coupon_list_id'),
        code,
      ]);
    }
    case 'offer_signup_web_hook':
    case 'claim_signup_web_hook': {
      // Person fields arrive flattened at the top level of these payloads.
      const email = emailKeyAt(payload, 'email');
      const offer = literalAt(objectAt(payload, 'offer'), 'short_url_code');
      return identity('person', email, [type, offer, email]);
    }
    case 'unsubscribe_web_hook': {
      const person = objectAt(payload, 'person');
      const email = emailKeyAt(person, 'email');
      return identity('person', email, [
        'unsubscribe',
        email,
        literalAt(person, 'unsubscribed_at'),
      ]);
    }
    case 'check_unsubscribe_web_hook':
      // A question asked before every email: repeats are real, and the hash is the best we have.
      return identity('person', emailKeyAt(objectAt(payload, 'recipient'), 'email'), undefined);
    case 'post_share_web_hook':
      // No stable key: a genuine identical repeat share is counted once (accepted, §2.7).
      return identity('share', null, undefined);
    default:
      return identity(null, null, undefined);
  }
}

/**
 * The advocate reward ids a referral approval releases. They are reward ids, the
 * same ids a later `reward_web_hook` carries in `reward.id`, so a projection joins
 * the approval to its rewards through them; they are deliberately not part of the
 * dedupe key, which stays `referred_origin.id` (one approval per referred origin).
 * In Talkable's sample `referrer.id` equals `advocate_rewards[0].id`; where the two
 * disagree, `advocate_rewards` is authoritative (docs/providers.md#talkable-referral-rewards).
 */
export function referralRewardIdsOf(payload: JsonObject): string[] {
  const rewards = payload.advocate_rewards;
  if (!Array.isArray(rewards)) return [];
  return rewards.flatMap((reward: JsonValue) => literalAt(reward, 'id') ?? []);
}

/**
 * An address as a dedupe key and unsubscribe key: the literal text, trimmed and
 * lower-cased (unlike the ledger's `emailAt`, a blank string stays a key, so a
 * key never changes with the projections' reading rules).
 */
export function emailKeyAt(value: JsonValue | undefined, key: string): string | null {
  return literalAt(value, key)?.trim().toLowerCase() ?? null;
}
