import {
  laterReferralStatus,
  participantKey,
  referralKey,
  type ReferralObserved,
} from '../../ledger/reward-ledger';
import { changed, type Evolved } from './evolve-participant';
import type { ReferralDoc } from './ledger-documents';

/** Status moves forward only; parties are filled once; orders are a set keyed by id. */
export function evolveReferral(
  current: ReferralDoc | undefined,
  change: ReferralObserved,
): Evolved<ReferralDoc> {
  const advocateKey = change.advocate === null ? null : participantKey(change.advocate);
  const friendKey = change.friend === null ? null : participantKey(change.friend);
  const base: ReferralDoc = current ?? {
    key: referralKey(change.provider, change.tenant, change.referralId),
    provider: change.provider,
    tenant: change.tenant,
    referralId: change.referralId,
    campaignKey: change.campaignKey,
    advocateKey,
    friendKey,
    status: change.status,
    orders: [],
  };
  const status = laterReferralStatus(base.status, change.status);
  const doc: ReferralDoc = {
    ...base,
    campaignKey: base.campaignKey ?? change.campaignKey,
    advocateKey: base.advocateKey ?? advocateKey,
    friendKey: base.friendKey ?? friendKey,
    status,
    orders: mergeOrders(base.orders, change.order),
  };
  if (current === undefined || changed(current, doc)) return { doc, outcome: 'applied' };
  return { doc, outcome: status !== change.status ? 'superseded' : 'duplicate' };
}

function mergeOrders(
  orders: ReferralDoc['orders'],
  order: ReferralObserved['order'],
): ReferralDoc['orders'] {
  if (order === null) return orders;
  const existing = orders.find((o) => o.id === order.id);
  if (existing !== undefined && (existing.amount !== null || order.amount === null)) return orders;
  return [...orders.filter((o) => o.id !== order.id), order].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
}
