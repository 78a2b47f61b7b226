/**
 * Talkable's referral webhook: an approved referral with the advocate's and the
 * friend's rewards. `advocate_rewards`/`friend_rewards` are authoritative;
 * `referrer`/`referred` repeat one of them (docs/providers.md#talkable-referral-rewards).
 */
import type { JsonObject } from '../../ledger/json';
import type { LedgerChange, RewardSide } from '../../ledger/reward-ledger';
import { amountAt, emailAt, objectAt, objectsAt, textAt } from '../../ledger/json';
import type { WebhookFacts } from '../../ledger/webhook-facts';
import {
  orderOf,
  readable,
  ref,
  type TranslationContext,
  type Unreadable,
} from '../../ledger/translation';
import { kindOf, personChange, value, type CampaignOf } from './talkable-parts';

export function talkableReferral(
  webhook: WebhookFacts,
  payload: JsonObject,
  campaign: CampaignOf,
  context: TranslationContext,
): (LedgerChange | Unreadable)[] {
  const advocateRewards = objectsAt(payload, 'advocate_rewards');
  const friendRewards = objectsAt(payload, 'friend_rewards');
  const origin = objectAt(payload, 'referred_origin');
  const advocateEmail =
    emailAt(objectAt(payload, 'offer'), 'email') ??
    emailAt(advocateRewards[0], 'email') ??
    emailAt(objectAt(payload, 'referrer'), 'email');
  const friendEmail =
    emailAt(origin, 'email') ??
    emailAt(friendRewards[0], 'email') ??
    emailAt(objectAt(payload, 'referred'), 'email');
  const originId = textAt(origin, 'id');
  const referralId = originId === null ? null : `referral:${originId}`;
  const list: (LedgerChange | Unreadable)[] = [...campaign.changes];
  const seen = new Set<string>();
  const rewardsOf = (side: RewardSide, rewards: readonly JsonObject[]): void => {
    for (const reward of rewards) {
      const id = textAt(reward, 'id');
      if (id === null || seen.has(id)) continue;
      seen.add(id);
      const email = emailAt(reward, 'email') ?? (side === 'advocate' ? advocateEmail : friendEmail);
      if (email !== null) {
        list.push(personChange(webhook, email, objectAt(reward, 'person'), campaign.key, {}));
      }
      const kind = kindOf(textAt(reward, 'incentive'));
      list.push(
        readable(`reward ${id}`, () => ({
          type: 'reward-observed',
          provider: 'talkable',
          tenant: webhook.tenantId,
          providerRewardId: id,
          owner: email === null ? null : ref(webhook, email),
          side,
          kind,
          value: value(
            kind,
            amountAt(reward, 'amount'),
            textAt(objectAt(reward, 'origin'), 'currency_iso_code'),
            webhook,
            context,
          ),
          status: 'approved',
          couponCode: textAt(reward, 'reward_coupon_code'),
          description: textAt(reward, 'incentive_description'),
          campaignKey: campaign.key,
          referralId,
        })),
      );
    }
  };
  // advocate_rewards/friend_rewards are authoritative; referrer/referred repeat one of them.
  rewardsOf('advocate', [...advocateRewards, ...single(payload, 'referrer')]);
  rewardsOf('friend', [...friendRewards, ...single(payload, 'referred')]);
  if (referralId !== null) {
    const order = orderOf(
      textAt(origin, 'order_number') ?? originId ?? '-',
      amountAt(origin, 'subtotal'),
      textAt(origin, 'currency_iso_code'),
      webhook.source,
      context,
    );
    list.push({
      type: 'referral-observed',
      referralId,
      provider: 'talkable',
      tenant: webhook.tenantId,
      campaignKey: campaign.key,
      advocate: advocateEmail === null ? null : ref(webhook, advocateEmail),
      friend: friendEmail === null ? null : ref(webhook, friendEmail),
      status: 'approved',
      order: order.order,
    });
    list.push(...order.unreadable);
  }
  return list;
}

function single(payload: JsonObject, key: string): JsonObject[] {
  const value = objectAt(payload, key);
  return value === undefined ? [] : [value];
}
