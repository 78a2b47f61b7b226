/**
 * What a participant sees: as an advocate, referral counts and balances per
 * currency split by reward status; as a friend, who referred them and their
 * rewards. Summed exactly (bigint minor units), sorted for stable answers.
 */
import { formatMoney, parseMoney } from '../ledger/money';
import type { ParticipantDoc, ReferralDoc, RewardDoc } from './rewards/ledger-documents';

export interface ReferralCounts {
  readonly total: number;
  readonly pending: number;
  readonly approved: number;
  readonly voided: number;
  /** flagged, blocked, removed. */
  readonly other: number;
}

export interface Balance {
  readonly currency: string;
  /** True when at least one amount in this currency had its currency assumed. */
  readonly currencyAssumed: boolean;
  readonly pending: string;
  readonly approved: string;
  readonly paid: string;
  readonly voided: string;
}

export interface ParticipantView {
  readonly participant: ParticipantDoc;
  readonly advocate: {
    readonly referrals: ReferralCounts;
    /** Cash rewards only; coupons and points are listed apart. */
    readonly balances: readonly Balance[];
    /** Sum of known point amounts of points rewards that are not voided. */
    readonly points: { readonly rewards: number; readonly total: string };
    readonly coupons: readonly RewardDoc[];
  };
  readonly friend: {
    readonly referredBy: readonly ReferralDoc[];
  };
  readonly rewards: readonly RewardDoc[];
}

export function participantView(
  participant: ParticipantDoc,
  asAdvocate: ReferralCounts,
  asFriend: readonly ReferralDoc[],
  rewards: readonly RewardDoc[],
): ParticipantView {
  return {
    participant,
    advocate: {
      referrals: asAdvocate,
      balances: balances(rewards),
      points: points(rewards),
      coupons: rewards.filter((r) => r.kind === 'coupon'),
    },
    friend: { referredBy: asFriend },
    rewards,
  };
}

type Status = 'pending' | 'approved' | 'paid' | 'voided';
const STATUSES: readonly Status[] = ['pending', 'approved', 'paid', 'voided'];

function balances(rewards: readonly RewardDoc[]): Balance[] {
  const sums = new Map<string, { assumed: boolean; minor: Record<Status, bigint> }>();
  for (const reward of rewards) {
    const { value } = reward;
    if (reward.kind !== 'cash' || value.kind !== 'money') continue;
    const status = STATUSES.find((s) => s === reward.status) ?? 'pending';
    const sum = sums.get(value.currency) ?? {
      assumed: false,
      minor: { pending: 0n, approved: 0n, paid: 0n, voided: 0n },
    };
    sum.minor[status] += parseMoney(value.amount, value.currency).minor;
    sum.assumed ||= value.currencyAssumed;
    sums.set(value.currency, sum);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, sum]) => {
      const format = (status: Status) => formatMoney({ minor: sum.minor[status], currency });
      return {
        currency,
        currencyAssumed: sum.assumed,
        pending: format('pending'),
        approved: format('approved'),
        paid: format('paid'),
        voided: format('voided'),
      };
    });
}

function points(rewards: readonly RewardDoc[]): { rewards: number; total: string } {
  const live = rewards.filter((r) => r.kind === 'points' && r.status !== 'voided');
  const total = live.reduce(
    (sum, r) => sum + (r.value.kind === 'points' ? BigInt(r.value.points) : 0n),
    0n,
  );
  return { rewards: live.length, total: total.toString() };
}
