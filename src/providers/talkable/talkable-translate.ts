/**
 * Talkable legacy webhooks (docs/providers.md#talkable-translation). Talkable has no
 * participant ids: a person is the lower-cased email within a site. A reward is its `id`, whether
 * it arrives inside a referral webhook or in a reward webhook.
 *
 * Reward webhook statuses: "Unpaid" = approved, not yet given; "Paid" = given;
 * "Voided" = voided. The referral webhook announces an approved referral, and
 * its rewards as approved (Talkable pays them only after our 2xx).
 */
import type { ParticipantFactsPatch, RewardObserved, RewardSide } from '../../ledger/reward-ledger';
import { amountAt, emailAt, objectAt, textAt } from '../../ledger/json';
import {
  changes,
  IGNORED,
  notUnderstood,
  readable,
  ref,
  type Translate,
} from '../../ledger/translation';
import { campaignOf, kindOf, personChange, sideOf, statusOf, value } from './talkable-parts';
import { talkableReferral } from './talkable-referral-translate';

export const translateTalkable: Translate = (webhook, context) => {
  const payload = webhook.payload;
  const campaign = campaignOf(webhook, objectAt(payload, 'campaign'));
  const type = webhook.providerEventType;
  switch (type) {
    case 'referral_web_hook':
      return changes(...talkableReferral(webhook, payload, campaign, context));
    case 'reward_web_hook': {
      const reward = objectAt(payload, 'reward');
      const id = textAt(reward, 'id');
      if (reward === undefined || id === null)
        return notUnderstood('reward webhook without reward.id');
      const side = sideOf(textAt(reward, 'reason'));
      const friendOrigin = objectAt(payload, 'friend_origin');
      const email =
        emailAt(objectAt(payload, 'person'), 'email') ??
        (side === 'friend'
          ? emailAt(friendOrigin, 'email')
          : (emailAt(objectAt(payload, 'advocate_origin'), 'email') ??
            emailAt(objectAt(payload, 'offer'), 'email')));
      const coupon = objectAt(reward, 'coupon');
      const kind = kindOf(textAt(reward, 'incentive_type'));
      const rewardChange = readable(`reward ${id}`, (): RewardObserved => ({
        type: 'reward-observed',
        provider: 'talkable',
        tenant: webhook.tenantId,
        providerRewardId: id,
        owner: email === null ? null : ref(webhook, email),
        side,
        kind,
        value: value(
          kind,
          amountAt(reward, 'amount') ?? amountAt(coupon, 'amount'),
          textAt(objectAt(payload, 'origin'), 'currency_iso_code'),
          webhook,
          context,
        ),
        status: statusOf(textAt(reward, 'status')),
        couponCode: textAt(coupon, 'code') ?? textAt(reward, 'coupon_code'),
        description: textAt(reward, 'incentive_description'),
        campaignKey: campaign.key,
        referralId:
          side !== null && textAt(friendOrigin, 'id') !== null
            ? `referral:${textAt(friendOrigin, 'id')}`
            : null,
      }));
      const person = objectAt(payload, 'person');
      return changes(
        ...campaign.changes,
        ...(email === null ? [] : [personChange(webhook, email, person, campaign.key, {})]),
        rewardChange,
      );
    }
    case 'offer_signup_web_hook':
    case 'claim_signup_web_hook': {
      const email = emailAt(payload, 'email');
      if (email === null) return notUnderstood(`${type} without email`);
      const signedUpAs: RewardSide = type === 'offer_signup_web_hook' ? 'advocate' : 'friend';
      return changes(personChange(webhook, email, payload, campaign.key, { signedUpAs }));
    }
    case 'post_share_web_hook': {
      const sharer = objectAt(payload, 'sharer_info');
      const email = emailAt(sharer, 'email');
      if (email === null) return notUnderstood('share without sharer email');
      return changes(personChange(webhook, email, sharer, campaign.key, { shares: 1 }));
    }
    case 'unsubscribe_web_hook': {
      const person = objectAt(payload, 'person');
      const email = emailAt(person, 'email');
      if (email === null) return notUnderstood('unsubscribe without person.email');
      const at = textAt(person, 'unsubscribed_at');
      const facts: ParticipantFactsPatch = {
        unsubscribed: true,
        ...(at === null ? {} : { unsubscribedAt: at }),
      };
      return changes(personChange(webhook, email, person, null, facts));
    }
    // A question (answered from the unsubscribes read model), coupon supply, and
    // purchases: none of them changes a reward, a referral or a participant fact.
    case 'check_unsubscribe_web_hook':
    case 'create_coupon_web_hook':
    case 'event_web_hook':
      return IGNORED;
    default:
      return notUnderstood(`Talkable ${type} is not projected`);
  }
};
