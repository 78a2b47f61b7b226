/** Pieces shared by the Talkable translations: people, campaigns, amounts. */
import type { JsonObject } from '../../ledger/json';
import {
  campaignKey,
  type LedgerChange,
  type ParticipantFactsPatch,
  type ParticipantObserved,
  type RewardKind,
  type RewardSide,
  type RewardStatus,
  type RewardValue,
} from '../../ledger/reward-ledger';
import { fullName, textAt } from '../../ledger/json';
import type { WebhookFacts } from '../../ledger/webhook-facts';
import { moneyValue, ref, type TranslationContext } from '../../ledger/translation';

export function value(
  kind: RewardKind,
  amount: string | number | null,
  currency: string | null,
  webhook: WebhookFacts,
  context: TranslationContext,
): RewardValue {
  if (amount === null) return { kind: 'none' };
  const money = moneyValue(amount, currency, webhook.source, context);
  // A non-monetary "other" incentive arrives as "0.00": that is no amount at all.
  return kind === 'other' && /^-?0(\.0*)?$/.test(money.amount) ? { kind: 'none' } : money;
}

export function kindOf(incentive: string | null): RewardKind {
  if (incentive === 'rebate') return 'cash';
  if (incentive === 'discount_coupon') return 'coupon';
  return 'other';
}

export function statusOf(status: string | null): RewardStatus {
  switch ((status ?? '').toLowerCase()) {
    case 'paid':
      return 'paid';
    case 'unpaid':
      return 'approved';
    case 'voided':
      return 'voided';
    default:
      return 'pending';
  }
}

/** `referred` is the friend's reward; every other reason (referrer, signup, shared, click…) the advocate's. */
export function sideOf(reason: string | null): RewardSide | null {
  if (reason === null) return null;
  return reason === 'referred' ? 'friend' : 'advocate';
}

export function personChange(
  webhook: WebhookFacts,
  email: string,
  person: JsonObject | undefined,
  campaign: string | null,
  facts: ParticipantFactsPatch,
): ParticipantObserved {
  return {
    type: 'participant-observed',
    participant: ref(webhook, email),
    email,
    name: fullName(person, 'first_name', 'last_name'),
    campaignKey: campaign,
    facts,
    sequence: null,
  };
}

export interface CampaignOf {
  readonly key: string | null;
  readonly changes: readonly LedgerChange[];
}

export function campaignOf(webhook: WebhookFacts, campaign: JsonObject | undefined): CampaignOf {
  const id = textAt(campaign, 'id');
  if (id === null) return { key: null, changes: [] };
  return {
    key: campaignKey('talkable', webhook.tenantId, id),
    changes: [
      {
        type: 'campaign-observed',
        provider: 'talkable',
        tenant: webhook.tenantId,
        providerCampaignId: id,
        name: textAt(campaign, 'cached_slug') ?? id,
        ended: null,
        rewardConfig: null,
        providerCounts: null,
      },
    ],
  };
}
