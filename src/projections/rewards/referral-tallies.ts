/**
 * Referral counts kept by the ledger projection as documents, so that a
 * campaign page, a leaderboard page or a participant's counts read a few rows
 * instead of counting every referral on each request. A tally is a sum over
 * referral documents, so it is the same whatever order the log delivered them
 * in, and a rebuild gives the same tallies as the live read models.
 */
import {
  documentId,
  type DocumentBody,
  type DocumentLookup,
  type DocumentRef,
  type StoredDocument,
} from '../projection';
import type { ReferralCounts } from '../participant-view';
import { asDoc, type ReferralDoc } from './ledger-documents';

/** Per campaign: its referrals by status. Key: the campaign key. */
export const CAMPAIGN_REFERRALS = 'campaign-referrals';
/** Per advocate: their referrals by status. Key: the participant key. */
export const ADVOCATE_REFERRALS = 'advocate-referrals';
/** Per campaign and advocate: approved and total referrals, for the leaderboard. */
export const LEADERBOARD = 'leaderboard';

export const TALLY_COLLECTIONS = [CAMPAIGN_REFERRALS, ADVOCATE_REFERRALS, LEADERBOARD] as const;

export type CountsDoc = ReferralCounts & {
  readonly key: string;
  /** Campaign tallies only: advocates with at least one referral (the leaderboard's length). */
  readonly advocates?: number;
};

export type LeaderboardDoc = {
  readonly key: string;
  readonly campaignKey: string;
  readonly advocateKey: string;
  readonly approved: number;
  readonly total: number;
};

export const NO_REFERRALS: ReferralCounts = {
  total: 0,
  pending: 0,
  approved: 0,
  voided: 0,
  other: 0,
};

export function leaderboardKey(campaignKey: string, advocateKey: string): string {
  return JSON.stringify([campaignKey, advocateKey]);
}

function bucket(status: string): keyof ReferralCounts {
  return status === 'pending' || status === 'approved' || status === 'voided' ? status : 'other';
}

/**
 * The tally documents that change when referrals move from `before` to
 * `after` (one entry per referral key; undefined before: a new referral).
 */
export function talliesFor(
  referrals: readonly { readonly before: ReferralDoc | undefined; readonly after: ReferralDoc }[],
  lookup: DocumentLookup,
): StoredDocument[] {
  const working = new Map<string, { ref: DocumentRef; body: DocumentBody }>();
  const current = (ref: DocumentRef, initial: () => DocumentBody): DocumentBody =>
    working.get(documentId(ref))?.body ?? lookup(ref) ?? initial();
  const put = (ref: DocumentRef, body: DocumentBody): void => {
    working.set(documentId(ref), { ref, body });
  };
  const addCounts = (collection: string, key: string, status: string, delta: 1 | -1): void => {
    const ref = { collection, key };
    const counts = asDoc<CountsDoc>(current(ref, () => ({ key, ...NO_REFERRALS }))) as CountsDoc;
    const field = bucket(status);
    put(ref, { ...counts, total: counts.total + delta, [field]: counts[field] + delta });
  };
  const addBoard = (campaignKey: string, advocateKey: string, status: string, delta: 1 | -1) => {
    const key = leaderboardKey(campaignKey, advocateKey);
    const ref = { collection: LEADERBOARD, key };
    const initial = { key, campaignKey, advocateKey, approved: 0, total: 0 };
    const doc = asDoc<LeaderboardDoc>(current(ref, () => initial)) as LeaderboardDoc;
    if ((doc.total === 0) !== (doc.total + delta === 0)) {
      const campaign = { collection: CAMPAIGN_REFERRALS, key: campaignKey };
      const counts = asDoc<CountsDoc>(
        current(campaign, () => ({ key: campaignKey, ...NO_REFERRALS })),
      ) as CountsDoc;
      put(campaign, { ...counts, advocates: (counts.advocates ?? 0) + (doc.total === 0 ? 1 : -1) });
    }
    put(ref, {
      ...doc,
      approved: doc.approved + (status === 'approved' ? delta : 0),
      total: doc.total + delta,
    });
  };
  const count = (doc: ReferralDoc, delta: 1 | -1): void => {
    if (doc.campaignKey !== null) addCounts(CAMPAIGN_REFERRALS, doc.campaignKey, doc.status, delta);
    if (doc.advocateKey !== null) addCounts(ADVOCATE_REFERRALS, doc.advocateKey, doc.status, delta);
    if (doc.campaignKey !== null && doc.advocateKey !== null)
      addBoard(doc.campaignKey, doc.advocateKey, doc.status, delta);
  };

  for (const { before, after } of referrals) {
    if (
      before !== undefined &&
      before.status === after.status &&
      before.campaignKey === after.campaignKey &&
      before.advocateKey === after.advocateKey
    )
      continue;
    if (before !== undefined) count(before, -1);
    count(after, 1);
  }
  return [...working.values()].map(({ ref, body }) => ({ ...ref, body }));
}
