/**
 * The reward ledger: participants, referrals, rewards and campaigns from every
 * provider, plus one ledger entry per change (applied, duplicate, superseded)
 * so every balance can be explained by the deliveries behind it.
 */
import {
  campaignKey,
  participantKey,
  referralKey,
  rewardKey,
  type Cause,
  type LedgerChange,
} from '../../ledger/reward-ledger';
import {
  documentId,
  IGNORED,
  notUnderstood,
  type DocumentBody,
  type DocumentLookup,
  type DocumentRef,
  type Evolution,
  type LedgerEntryDraft,
  type Projection,
  type StoredDocument,
} from '../projection';
import { evolveCampaign } from './evolve-campaign';
import { changed, evolveParticipant, type Evolved } from './evolve-participant';
import { evolveReferral } from './evolve-referral';
import { evolveReward } from './evolve-reward';
import {
  asDoc,
  CAMPAIGNS,
  PARTICIPANTS,
  REFERRALS,
  REWARDS,
  type CampaignDoc,
  type ParticipantDoc,
  type ReferralDoc,
  type RewardDoc,
} from './ledger-documents';
import type { TranslationContext } from '../../ledger/translation';
import { TALLY_COLLECTIONS, talliesFor } from './referral-tallies';
import { translateWebhook } from '../../providers/translate-webhook';

export const LEDGER_PROJECTION = 'ledger';

export function ledgerProjection(context: TranslationContext): Projection {
  return {
    name: LEDGER_PROJECTION,
    version: 8,
    collections: [PARTICIPANTS, REFERRALS, REWARDS, CAMPAIGNS, ...TALLY_COLLECTIONS],
    plan(event) {
      const translation = translateWebhook(event.webhook, context);
      if (translation.kind === 'ignored') return IGNORED;
      if (translation.kind === 'not-understood') return notUnderstood(translation.reason);
      return {
        kind: 'apply',
        evolve: (lookup) => applyChanges(translation.changes, lookup, event.cause),
        problems: translation.problems,
      };
    },
  };
}

export function refOf(change: LedgerChange): DocumentRef {
  switch (change.type) {
    case 'participant-observed':
      return { collection: PARTICIPANTS, key: participantKey(change.participant) };
    case 'referral-observed':
      return {
        collection: REFERRALS,
        key: referralKey(change.provider, change.tenant, change.referralId),
      };
    case 'reward-observed':
      return {
        collection: REWARDS,
        key: rewardKey(change.provider, change.tenant, change.providerRewardId),
      };
    case 'campaign-observed':
      return {
        collection: CAMPAIGNS,
        key: campaignKey(change.provider, change.tenant, change.providerCampaignId),
      };
  }
}

function applyChanges(
  changes: readonly LedgerChange[],
  lookup: DocumentLookup,
  cause: Cause,
): Evolution {
  const working = new Map<string, StoredDocument>();
  const entries: LedgerEntryDraft[] = [];
  for (const change of changes) {
    const ref = refOf(change);
    const id = documentId(ref);
    const current = working.has(id) ? working.get(id)?.body : lookup(ref);
    const { doc, outcome, ownerKey, detail } = evolveOne(current, change, cause);
    working.set(id, { ...ref, body: doc });
    const quiet =
      outcome === 'unchanged' && (ref.collection === PARTICIPANTS || ref.collection === CAMPAIGNS);
    if (!quiet) {
      entries.push({ entityKind: ref.collection, entityKey: ref.key, ownerKey, outcome, detail });
    }
  }
  const referrals = [...working.values()]
    .filter((doc) => doc.collection === REFERRALS)
    .map((doc) => ({
      before: asDoc<ReferralDoc>(lookup(doc)),
      after: doc.body as ReferralDoc,
    }));
  const documents = [...working.values(), ...talliesFor(referrals, lookup)].filter((doc) => {
    const before = lookup(doc);
    return before === undefined || changed(before, doc.body);
  });
  return { documents, entries };
}

interface EvolvedBody extends Evolved<DocumentBody> {
  readonly ownerKey: string | null;
  readonly detail: DocumentBody;
}

function evolveOne(
  current: DocumentBody | undefined,
  change: LedgerChange,
  cause: Cause,
): EvolvedBody {
  switch (change.type) {
    case 'participant-observed': {
      const r = evolveParticipant(asDoc<ParticipantDoc>(current), change, cause);
      return {
        ...r,
        ownerKey: r.doc.key,
        detail: { facts: { ...change.facts }, sequence: change.sequence },
      };
    }
    case 'referral-observed': {
      const r = evolveReferral(asDoc<ReferralDoc>(current), change);
      return {
        ...r,
        ownerKey: r.doc.advocateKey,
        detail: { status: change.status, resulting: r.doc.status },
      };
    }
    case 'reward-observed': {
      const r = evolveReward(asDoc<RewardDoc>(current), change);
      const previous = asDoc<RewardDoc>(current);
      return {
        ...r,
        ownerKey: r.doc.ownerKey,
        detail: {
          announced: change.status,
          previous: previous?.status ?? null,
          resulting: r.doc.status,
          value: r.doc.value,
          kind: r.doc.kind,
          side: r.doc.side,
        },
      };
    }
    case 'campaign-observed': {
      const r = evolveCampaign(asDoc<CampaignDoc>(current), change);
      return { ...r, ownerKey: null, detail: { status: r.doc.status } };
    }
  }
}
