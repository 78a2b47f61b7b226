/**
 * GrowSurf (docs/providers.md#growsurf): `{event, createdAt, data}`. Rewards are keyed by
 * `reward.id` (the ParticipantReward), so the pending and the approved copy of
 * one reward, and the referrer's and the referee's rewards, land where they belong.
 */
import type { JsonObject } from '../../ledger/json';
import {
  campaignKey,
  type CampaignObserved,
  type LedgerChange,
  type ParticipantObserved,
  type ReferralStatus,
  type RewardConfig,
  type RewardObserved,
  type RewardStatus,
} from '../../ledger/reward-ledger';
import {
  amountAt,
  booleanAt,
  emailAt,
  fullName,
  numberAt,
  objectAt,
  objectsAt,
  textAt,
} from '../../ledger/json';
import type { WebhookFacts } from '../../ledger/webhook-facts';
import {
  changes,
  moneyValue,
  notUnderstood,
  readable,
  ref,
  type Translate,
  type Unreadable,
} from '../../ledger/translation';

export const translateGrowsurf: Translate = (webhook, context) => {
  const body = webhook.payload;
  const data = objectAt(body, 'data');
  const createdAt = numberAt(body, 'createdAt') ?? 0;
  if (data === undefined) return notUnderstood('GrowSurf delivery without data');
  const event = webhook.providerEventType;
  switch (event) {
    case 'PARTICIPANT_REACHED_A_GOAL': {
      const participant = objectAt(data, 'participant');
      const reward = objectAt(data, 'reward');
      const rewardId = textAt(reward, 'id');
      const ownerId = textAt(participant, 'id');
      if (
        participant === undefined ||
        ownerId === null ||
        reward === undefined ||
        rewardId === null
      ) {
        return notUnderstood('reward event without data.participant.id or data.reward.id');
      }
      const campaign = campaignOf(webhook, objectAt(data, 'campaign'));
      const owner = participantChange(webhook, participant, createdAt, campaign.key);
      const referrerId = textAt(reward, 'referrerId');
      const referredId = textAt(reward, 'referredId');
      const isReferrer =
        booleanAt(reward, 'isReferrer') ?? owner.participant.providerId === referrerId;
      const status = rewardStatus(reward);
      const amount = amountAt(reward, 'amount');
      const coupon = textAt(reward, isReferrer ? 'couponCode' : 'referralCouponCode');
      const rewardChange = readable(`reward ${rewardId}`, (): RewardObserved => ({
        type: 'reward-observed',
        provider: 'growsurf',
        tenant: webhook.tenantId,
        providerRewardId: rewardId,
        owner: owner.participant,
        side: isReferrer ? 'advocate' : 'friend',
        kind: amount !== null ? 'cash' : coupon !== null ? 'coupon' : 'other',
        value:
          amount !== null
            ? moneyValue(amount, textAt(reward, 'currencyISO'), webhook.source, context)
            : { kind: 'none' },
        status,
        couponCode: coupon,
        description: textAt(reward, 'description') ?? textAt(reward, 'title'),
        campaignKey: campaign.key,
        referralId: referredId,
      }));
      const list: (LedgerChange | Unreadable)[] = [campaign.change, owner, rewardChange];
      if (referrerId !== null && referredId !== null) {
        list.push({
          type: 'referral-observed',
          referralId: referredId,
          provider: 'growsurf',
          tenant: webhook.tenantId,
          campaignKey: campaign.key,
          advocate: ref(webhook, referrerId),
          friend: ref(webhook, referredId),
          // A reward granted for the referral credits it; a pending one leaves it pending.
          status: status === 'pending' ? 'pending' : 'approved',
          order: null,
        });
      }
      const others = [objectAt(participant, 'referee'), objectAt(participant, 'referrer')];
      list.push(...otherParties(webhook, owner, others, [referrerId, referredId], createdAt));
      return changes(...list);
    }
    case 'NEW_PARTICIPANT_ADDED': {
      // The participant is `data` itself; any other shape is not guessed at.
      if (textAt(data, 'id') === null) {
        return notUnderstood('NEW_PARTICIPANT_ADDED without data.id (the participant is data)');
      }
      const campaign = campaignOf(webhook, objectAt(data, 'campaign'));
      const friend = participantChange(webhook, data, createdAt, campaign.key);
      const referrer = objectAt(data, 'referrer');
      const referrerId = textAt(referrer, 'id') ?? textAt(data, 'referredBy');
      if (referrerId === null) return changes(campaign.change, friend);
      const list: LedgerChange[] = [campaign.change, friend];
      list.push(...otherParties(webhook, friend, [referrer], [referrerId], createdAt));
      list.push({
        type: 'referral-observed',
        referralId: friend.participant.providerId,
        provider: 'growsurf',
        tenant: webhook.tenantId,
        campaignKey: campaign.key,
        advocate: ref(webhook, referrerId),
        friend: friend.participant,
        status: referralStatus(textAt(data, 'referralStatus')),
        order: null,
      });
      return changes(...list);
    }
    case 'PARTICIPANT_FRAUD_STATUS_UPDATED': {
      const participant = objectAt(data, 'participant') ?? data;
      if (textAt(participant, 'id') === null)
        return notUnderstood('fraud update without participant id');
      const campaign = campaignOf(webhook, objectAt(data, 'campaign'));
      return changes(participantChange(webhook, participant, createdAt, campaign.key));
    }
    case 'CAMPAIGN_ENDED': {
      const id = textAt(data, 'id') ?? webhook.tenantId;
      if (id === null) return notUnderstood('CAMPAIGN_ENDED without a campaign id');
      const winners = objectsAt(data, 'winners').filter((w) => textAt(w, 'id') !== null);
      const ended: CampaignObserved = {
        ...campaignOf(webhook, data).change,
        ended: {
          at: numberAt(data, 'endedAt'),
          winners: winners.flatMap((w) => textAt(w, 'id') ?? []),
        },
        providerCounts: counts(data, [
          'participantCount',
          'referralCount',
          'winnerCount',
          'impressionCount',
        ]),
      };
      const key = campaignKey('growsurf', webhook.tenantId, id);
      return changes(
        ended,
        ...winners.map((w) => {
          const change = participantChange(webhook, w, createdAt, key);
          return { ...change, facts: { ...change.facts, isWinner: true } };
        }),
      );
    }
    case 'NEW_COMMISSION_ADDED':
    case 'COMMISSION_ADJUSTED':
    case 'NEW_PAYOUT_ISSUED':
      // Affiliate programs: payload shapes are undocumented (docs/providers.md#growsurf-events);
      // kept in the log.
      return notUnderstood(`${event}: affiliate events are not projected yet`);
    default:
      return notUnderstood(`unknown GrowSurf event ${event}`);
  }
};

function rewardStatus(reward: JsonObject): RewardStatus {
  const status = textAt(reward, 'status');
  if (status === 'CANCELLED') return 'voided';
  if (status === 'FULFILLED' || booleanAt(reward, 'isFulfilled') === true) return 'paid';
  return booleanAt(reward, 'approved') === true ? 'approved' : 'pending';
}

function referralStatus(status: string | null): ReferralStatus {
  if (status === 'CREDIT_AWARDED') return 'approved';
  if (status === 'CREDIT_EXPIRED') return 'voided';
  return 'pending';
}

function participantChange(
  webhook: WebhookFacts,
  participant: JsonObject,
  observedAt: number,
  campaign: string | null,
): ParticipantObserved {
  const level = textAt(participant, 'fraudRiskLevel');
  return {
    type: 'participant-observed',
    participant: ref(webhook, textAt(participant, 'id') ?? '-'),
    email: emailAt(participant, 'email'),
    name: fullName(participant, 'firstName', 'lastName'),
    campaignKey: campaign,
    facts: {
      // Only "unsubscribed" is taken as a fact; a false flag says nothing new.
      ...(booleanAt(participant, 'unsubscribed') === true ? { unsubscribed: true } : {}),
      ...(level !== null
        ? { fraud: { level, reasonCode: textAt(participant, 'fraudReasonCode'), observedAt } }
        : {}),
    },
    sequence: null,
  };
}

/**
 * The people an event names besides its subject: the other party of a reward
 * (`participant.referee` for the referrer's reward, `participant.referrer` for
 * the friend's, docs/providers.md#growsurf), the referrer of a new participant,
 * and the bare `referrerId`/`referredId` the referral is keyed on. Each is a
 * participant, so that every key a referral or reward names has a page; an id
 * the event gives no details for is a participant with only its id.
 */
function otherParties(
  webhook: WebhookFacts,
  subject: ParticipantObserved,
  people: readonly (JsonObject | undefined)[],
  ids: readonly (string | null)[],
  observedAt: number,
): ParticipantObserved[] {
  const seen = new Set([subject.participant.providerId]);
  const list: ParticipantObserved[] = [];
  for (const person of people) {
    const id = textAt(person, 'id');
    if (person === undefined || id === null || seen.has(id)) continue;
    seen.add(id);
    list.push(participantChange(webhook, person, observedAt, subject.campaignKey));
  }
  for (const id of ids) {
    if (id === null || seen.has(id)) continue;
    seen.add(id);
    list.push(participantChange(webhook, { id }, observedAt, subject.campaignKey));
  }
  return list;
}

function campaignOf(
  webhook: WebhookFacts,
  campaign: JsonObject | undefined,
): { key: string | null; change: CampaignObserved } {
  const id = textAt(campaign, 'id') ?? webhook.tenantId ?? '-';
  const rewards = objectsAt(campaign, 'rewards');
  return {
    key: campaignKey('growsurf', webhook.tenantId, id),
    change: {
      type: 'campaign-observed',
      provider: 'growsurf',
      tenant: webhook.tenantId,
      providerCampaignId: id,
      name: textAt(campaign, 'name'),
      ended: null,
      rewardConfig: rewards.length === 0 ? null : rewards.map(rewardConfig),
      providerCounts: null,
    },
  };
}

function rewardConfig(reward: JsonObject): RewardConfig {
  return {
    id: textAt(reward, 'id') ?? '-',
    title: textAt(reward, 'title'),
    type: textAt(reward, 'type'),
    description: textAt(reward, 'description'),
    couponCode: textAt(reward, 'couponCode'),
    conversionsRequired: numberAt(reward, 'conversionsRequired'),
  };
}

function counts(data: JsonObject, names: readonly string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of names) {
    const value = numberAt(data, name);
    if (value !== null) result[name] = value;
  }
  return result;
}
