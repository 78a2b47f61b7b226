import {
  laterRewardStatus,
  participantKey,
  referralKey,
  rewardKey,
  type RewardObserved,
  type RewardValue,
} from '../../ledger/reward-ledger';
import { changed, type Evolved } from './evolve-participant';
import type { RewardDoc } from './ledger-documents';

/**
 * One reward per provider reward id, however many deliveries announce it.
 * Status only moves forward (pending → approved → paid → voided), so a pending
 * copy arriving after the approved one is recorded as superseded and changes
 * nothing; a known currency replaces an assumed one.
 */
export function evolveReward(
  current: RewardDoc | undefined,
  change: RewardObserved,
): Evolved<RewardDoc> {
  if (current === undefined) return { doc: newReward(change), outcome: 'applied' };
  const status = laterRewardStatus(current.status, change.status);
  const doc: RewardDoc = {
    ...current,
    ownerKey: current.ownerKey ?? (change.owner === null ? null : participantKey(change.owner)),
    side: current.side ?? change.side,
    kind: current.kind === 'other' ? change.kind : current.kind,
    value: betterValue(current.value, change.value),
    status,
    couponCode: current.couponCode ?? change.couponCode,
    description: current.description ?? change.description,
    campaignKey: current.campaignKey ?? change.campaignKey,
    referralKey: current.referralKey ?? referralOf(change),
  };
  if (changed(current, doc)) return { doc, outcome: 'applied' };
  return { doc, outcome: status !== change.status ? 'superseded' : 'duplicate' };
}

function betterValue(current: RewardValue, next: RewardValue): RewardValue {
  if (current.kind === 'none') return next;
  if (current.kind === 'money' && current.currencyAssumed && next.kind === 'money') {
    return next.currencyAssumed ? current : next;
  }
  return current;
}

function referralOf(change: RewardObserved): string | null {
  return change.referralId === null
    ? null
    : referralKey(change.provider, change.tenant, change.referralId);
}

function newReward(change: RewardObserved): RewardDoc {
  return {
    key: rewardKey(change.provider, change.tenant, change.providerRewardId),
    provider: change.provider,
    tenant: change.tenant,
    providerRewardId: change.providerRewardId,
    ownerKey: change.owner === null ? null : participantKey(change.owner),
    side: change.side,
    kind: change.kind,
    value: change.value,
    status: change.status,
    couponCode: change.couponCode,
    description: change.description,
    campaignKey: change.campaignKey,
    referralKey: referralOf(change),
  };
}
