import type { ReadModels } from '../read-models/read-models';
import type { StoredDeliveries } from './stored-deliveries';

/**
 * Why is this balance X: a participant's balances and rewards with every
 * ledger entry behind them, each with how its delivery was verified and where
 * to read it. Undefined when there is no such participant.
 */
export async function explainBalances(
  readModels: ReadModels,
  participantKey: string,
  deliveries: StoredDeliveries,
) {
  const view = readModels.getParticipant(participantKey);
  if (view === undefined) return undefined;
  const entries = readModels.getRewardHistory(participantKey);
  // Many entries come from one delivery: each stream is read once.
  const verifications = new Map<string, unknown>();
  const erasures = new Map<string, string>();
  for (const entry of entries) {
    if (verifications.has(entry.streamId)) continue;
    const stored = await deliveries.byStream(entry.streamId);
    verifications.set(entry.streamId, stored?.delivery.verification ?? null);
    if (stored?.erasure !== undefined) erasures.set(entry.streamId, stored.erasure);
  }
  return {
    participant: view.participant,
    balances: view.advocate.balances,
    rewards: view.rewards,
    entries: entries.map((entry) => ({
      ...entry,
      verification: verifications.get(entry.streamId),
      delivery: `/events/${entry.eventId}`,
      ...(erasures.has(entry.streamId) ? { erasure: erasures.get(entry.streamId) } : {}),
    })),
  };
}
