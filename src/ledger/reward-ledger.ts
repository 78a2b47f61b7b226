/**
 * The reward ledger's vocabulary, the same for every provider: who takes part,
 * who referred whom, and what each of them earned. Provider translations
 * produce `LedgerChange`s; projections fold them into documents.
 *
 * Amounts are exact decimal strings formatted by `formatMoney` (never floats);
 * `money.ts` parses and sums them as bigint minor units.
 */
import type { Provider } from './webhook-received';

/** The delivery that caused a change: enough to find it again in the log. */
export interface Cause {
  readonly eventId: string;
  readonly position: bigint;
  readonly streamId: string;
  /** `${provider}.${providerEventType}`, the stored event type. */
  readonly providerType: string;
  readonly receivedAt: string;
}

export interface ParticipantRef {
  readonly provider: Provider;
  /** Wix instance, Talkable site, GrowSurf campaign, Standard Webhooks source; null when unknown. */
  readonly tenant: string | null;
  /** The provider's id (Talkable has none: the lower-cased email stands in). */
  readonly providerId: string;
}

export type ReferralStatus = 'pending' | 'flagged' | 'approved' | 'voided' | 'blocked' | 'removed';
export type RewardStatus = 'pending' | 'approved' | 'paid' | 'voided';
export type RewardSide = 'advocate' | 'friend';
export type RewardKind = 'cash' | 'coupon' | 'points' | 'other';

/**
 * Statuses only move forward, so copies arriving in any order agree:
 * a pending copy after the approved one changes nothing.
 */
const REFERRAL_RANK: Readonly<Record<ReferralStatus, number>> = {
  pending: 0,
  flagged: 1,
  approved: 2,
  voided: 3,
  blocked: 4,
  removed: 5,
};
/** Voided outranks paid: a clawed-back reward stays voided whichever copy comes last. */
const REWARD_RANK: Readonly<Record<RewardStatus, number>> = {
  pending: 0,
  approved: 1,
  paid: 2,
  voided: 3,
};

export function laterReferralStatus(a: ReferralStatus, b: ReferralStatus): ReferralStatus {
  return REFERRAL_RANK[b] > REFERRAL_RANK[a] ? b : a;
}

export function laterRewardStatus(a: RewardStatus, b: RewardStatus): RewardStatus {
  return REWARD_RANK[b] > REWARD_RANK[a] ? b : a;
}

export type RewardValue =
  | {
      readonly kind: 'money';
      /** Decimal string with the currency's minor digits ("5.00"). */
      readonly amount: string;
      readonly currency: string;
      /** True when the provider sent no currency and one was assumed (`XXX` when none could be). */
      readonly currencyAssumed: boolean;
    }
  | { readonly kind: 'points'; readonly points: string }
  | { readonly kind: 'none' };

export type FraudFact = {
  readonly level: string | null;
  readonly reasonCode: string | null;
  /** Provider timestamp (ms) of the observation: the latest one wins, whatever the arrival order. */
  readonly observedAt: number;
};

/** Facts a provider tells about a participant; absent means "not said", never "false". */
export type ParticipantFactsPatch = {
  readonly unsubscribed?: boolean;
  readonly unsubscribedAt?: string;
  readonly fraud?: FraudFact;
  readonly isWinner?: boolean;
  readonly signedUpAs?: RewardSide;
  readonly shares?: number;
  readonly contactId?: string;
  readonly referralCode?: string;
  readonly providerStatus?: string;
  readonly removed?: boolean;
};

export interface ParticipantObserved {
  readonly type: 'participant-observed';
  readonly participant: ParticipantRef;
  readonly email: string | null;
  readonly name: string | null;
  readonly campaignKey: string | null;
  readonly facts: ParticipantFactsPatch;
  /** Wix `entityEventSequence`: applied only when above the last applied one. */
  readonly sequence: string | null;
}

export interface ReferralObserved {
  readonly type: 'referral-observed';
  /** Provider-scoped id of the referral (the friend, the friend's order…). */
  readonly referralId: string;
  readonly provider: Provider;
  readonly tenant: string | null;
  readonly campaignKey: string | null;
  readonly advocate: ParticipantRef | null;
  readonly friend: ParticipantRef | null;
  readonly status: ReferralStatus;
  /** A qualifying order or action the provider reported with the referral. */
  readonly order: ReferralOrder | null;
}

export interface ReferralOrder {
  readonly id: string;
  /** Money like every other amount ("80.00"); null when not sent or not readable as money. */
  readonly amount: string | null;
  readonly currency: string | null;
  /** As for rewards: the provider sent no currency, and the configured default (or `XXX`) was taken. */
  readonly currencyAssumed: boolean;
}

export interface RewardObserved {
  readonly type: 'reward-observed';
  readonly provider: Provider;
  readonly tenant: string | null;
  readonly providerRewardId: string;
  readonly owner: ParticipantRef | null;
  readonly side: RewardSide | null;
  readonly kind: RewardKind;
  readonly value: RewardValue;
  readonly status: RewardStatus;
  readonly couponCode: string | null;
  readonly description: string | null;
  readonly campaignKey: string | null;
  readonly referralId: string | null;
}

export interface CampaignObserved {
  readonly type: 'campaign-observed';
  readonly provider: Provider;
  readonly tenant: string | null;
  readonly providerCampaignId: string;
  readonly name: string | null;
  readonly ended: { readonly at: number | null; readonly winners: readonly string[] } | null;
  /** The provider's reward configuration, as sent (objects sorted by id). */
  readonly rewardConfig: readonly RewardConfig[] | null;
  readonly providerCounts: Readonly<Record<string, number>> | null;
}

export interface RewardConfig {
  readonly id: string;
  readonly title: string | null;
  readonly type: string | null;
  readonly description: string | null;
  readonly couponCode: string | null;
  readonly conversionsRequired: number | null;
}

export type LedgerChange =
  ParticipantObserved | ReferralObserved | RewardObserved | CampaignObserved;

export function participantKey(ref: ParticipantRef): string {
  return `${ref.provider}:${ref.tenant ?? '-'}:${ref.providerId}`;
}

export function campaignKey(provider: Provider, tenant: string | null, id: string): string {
  return `${provider}:${tenant ?? '-'}:${id}`;
}

export function referralKey(provider: Provider, tenant: string | null, id: string): string {
  return `${provider}:${tenant ?? '-'}:${id}`;
}

export function rewardKey(provider: Provider, tenant: string | null, id: string): string {
  return `${provider}:${tenant ?? '-'}:${id}`;
}
