import { campaignKey, participantKey, type CampaignObserved } from '../../ledger/reward-ledger';
import { changed, type Evolved } from './evolve-participant';
import type { CampaignDoc } from './ledger-documents';

/** An ended campaign stays ended; configuration and provider counts are the latest sent. */
export function evolveCampaign(
  current: CampaignDoc | undefined,
  change: CampaignObserved,
): Evolved<CampaignDoc> {
  const base: CampaignDoc = current ?? {
    key: campaignKey(change.provider, change.tenant, change.providerCampaignId),
    provider: change.provider,
    tenant: change.tenant,
    providerCampaignId: change.providerCampaignId,
    name: null,
    status: 'active',
    endedAt: null,
    winners: [],
    rewardConfig: [],
    providerCounts: null,
  };
  const { ended } = change;
  const doc: CampaignDoc = {
    ...base,
    name: change.name ?? base.name,
    status: ended !== null ? 'ended' : base.status,
    endedAt: ended?.at ?? base.endedAt,
    winners:
      ended === null
        ? base.winners
        : ended.winners.map((id) =>
            participantKey({ provider: change.provider, tenant: change.tenant, providerId: id }),
          ),
    rewardConfig:
      change.rewardConfig === null
        ? base.rewardConfig
        : [...change.rewardConfig].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    providerCounts: change.providerCounts ?? base.providerCounts,
  };
  return { doc, outcome: current === undefined || changed(current, doc) ? 'applied' : 'unchanged' };
}
