/**
 * The ledger projection's documents, as stored (JSON, canonical key order).
 * Amounts stay exact decimal strings; positions never appear in documents (they
 * live in the ledger entries), so a document depends on what happened, not on
 * where in the log it was written. Which delivery moved a status is in the
 * ledger entries, one per change.
 */
import type { ReferralStatus, RewardStatus, RewardValue } from '../../ledger/reward-ledger';
import type { DocumentBody } from '../projection';

export const PARTICIPANTS = 'participant';
export const REFERRALS = 'referral';
export const REWARDS = 'reward';
export const CAMPAIGNS = 'campaign';

export type ParticipantDoc = {
  readonly key: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly providerId: string;
  readonly email: string | null;
  readonly name: string | null;
  /** Sorted, unique. */
  readonly campaignKeys: readonly string[];
  readonly unsubscribed: boolean;
  readonly unsubscribedAt: string | null;
  readonly fraud: {
    readonly level: string | null;
    readonly reasonCode: string | null;
    readonly observedAt: number;
  } | null;
  readonly isWinner: boolean;
  /** Sorted, unique: `advocate`, `friend`. */
  readonly signedUpAs: readonly string[];
  readonly shares: number;
  /** The provider entity's own state (Wix), replaced only by a higher `entityEventSequence`. */
  readonly entity: {
    readonly sequence: string;
    readonly eventId: string;
    readonly contactId: string | null;
    readonly referralCode: string | null;
    readonly providerStatus: string | null;
    readonly removed: boolean;
  } | null;
};

export type ReferralDoc = {
  readonly key: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly referralId: string;
  readonly campaignKey: string | null;
  readonly advocateKey: string | null;
  readonly friendKey: string | null;
  readonly status: ReferralStatus;
  /** Sorted by id. */
  readonly orders: readonly {
    readonly id: string;
    readonly amount: string | null;
    readonly currency: string | null;
    readonly currencyAssumed: boolean;
  }[];
};

export type RewardValueDoc = RewardValue;

export type RewardDoc = {
  readonly key: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly providerRewardId: string;
  readonly ownerKey: string | null;
  readonly side: string | null;
  readonly kind: string;
  readonly value: RewardValueDoc;
  readonly status: RewardStatus;
  readonly couponCode: string | null;
  readonly description: string | null;
  readonly campaignKey: string | null;
  readonly referralKey: string | null;
};

export type CampaignDoc = {
  readonly key: string;
  readonly provider: string;
  readonly tenant: string | null;
  readonly providerCampaignId: string;
  readonly name: string | null;
  readonly status: 'active' | 'ended';
  readonly endedAt: number | null;
  /** Participant keys in the provider's order (first 1,000 for GrowSurf). */
  readonly winners: readonly string[];
  readonly rewardConfig: readonly {
    readonly id: string;
    readonly title: string | null;
    readonly type: string | null;
    readonly description: string | null;
    readonly couponCode: string | null;
    readonly conversionsRequired: number | null;
  }[];
  readonly providerCounts: { readonly [name: string]: number } | null;
};

/** Documents are only ever written by these projections: reading one back is a cast, not a parse. */
export function asDoc<T>(body: DocumentBody | undefined): T | undefined {
  return body as T | undefined;
}

export function sortedUnion(a: readonly string[], b: readonly (string | null)[]): string[] {
  return [...new Set([...a, ...b.filter((x): x is string => x !== null)])].sort();
}
