import fc from 'fast-check';
import { documentId, type DocumentBody, type DocumentRef } from '../projection';
import type { ReferralStatus } from '../../ledger/reward-ledger';
import type { ReferralDoc } from './ledger-documents';
import {
  ADVOCATE_REFERRALS,
  CAMPAIGN_REFERRALS,
  LEADERBOARD,
  leaderboardKey,
  talliesFor,
} from './referral-tallies';

const STATUSES: readonly ReferralStatus[] = [
  'pending',
  'flagged',
  'approved',
  'voided',
  'blocked',
  'removed',
];

/** Counting every referral, the way the queries did before there were tallies. */
function recount(referrals: readonly ReferralDoc[], where: (r: ReferralDoc) => boolean) {
  const matching = referrals.filter(where);
  const count = (status: string) => matching.filter((r) => r.status === status).length;
  const [pending, approved, voided] = [count('pending'), count('approved'), count('voided')];
  return {
    total: matching.length,
    pending,
    approved,
    voided,
    other: matching.length - pending - approved - voided,
  };
}

const change = fc.record({
  id: fc.integer({ min: 0, max: 6 }),
  status: fc.constantFrom(...STATUSES),
  campaignKey: fc.option(fc.constantFrom('c1', 'c2'), { nil: null }),
  advocateKey: fc.option(fc.constantFrom('a1', 'a2', 'a3'), { nil: null }),
});

describe('talliesFor', () => {
  it('keeps every tally equal to a recount of the referrals, whatever changes arrive', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { maxLength: 3 }), { maxLength: 40 }), (events) => {
        const store = new Map<string, DocumentBody>();
        const lookup = (ref: DocumentRef) => store.get(documentId(ref));
        for (const event of events) {
          const changes = new Map(
            event.map((c) => {
              const ref = { collection: 'referral', key: `r${c.id}` };
              const after: ReferralDoc = {
                key: ref.key,
                provider: 'test',
                tenant: null,
                referralId: String(c.id),
                campaignKey: c.campaignKey,
                advocateKey: c.advocateKey,
                friendKey: null,
                status: c.status,
                orders: [],
              };
              return [ref.key, { before: lookup(ref) as ReferralDoc | undefined, after }];
            }),
          );
          for (const doc of talliesFor([...changes.values()], lookup))
            store.set(documentId(doc), doc.body);
          for (const { after } of changes.values())
            store.set(documentId({ collection: 'referral', key: after.key }), after);
        }
        const referrals = [...store.entries()]
          .filter(([id]) => id.startsWith('referral\u0000'))
          .map(([, body]) => body as ReferralDoc);
        const tally = (collection: string, key: string) => {
          const {
            total = 0,
            pending = 0,
            approved = 0,
            voided = 0,
            other = 0,
          } = (store.get(documentId({ collection, key })) as Record<string, number> | undefined) ??
          {};
          return { total, pending, approved, voided, other };
        };
        for (const campaign of ['c1', 'c2']) {
          expect(tally(CAMPAIGN_REFERRALS, campaign)).toEqual(
            recount(referrals, (r) => r.campaignKey === campaign),
          );
          const advocates = new Set(
            referrals
              .filter((r) => r.campaignKey === campaign && r.advocateKey !== null)
              .map((r) => r.advocateKey),
          );
          const counts = store.get(documentId({ collection: CAMPAIGN_REFERRALS, key: campaign }));
          expect(counts?.advocates ?? 0).toBe(advocates.size);
          for (const advocate of ['a1', 'a2', 'a3']) {
            const counted = recount(
              referrals,
              (r) => r.campaignKey === campaign && r.advocateKey === advocate,
            );
            const board = store.get(
              documentId({ collection: LEADERBOARD, key: leaderboardKey(campaign, advocate) }),
            );
            expect({ approved: board?.approved ?? 0, total: board?.total ?? 0 }).toEqual({
              approved: counted.approved,
              total: counted.total,
            });
          }
        }
        for (const advocate of ['a1', 'a2', 'a3']) {
          expect(tally(ADVOCATE_REFERRALS, advocate)).toEqual(
            recount(referrals, (r) => r.advocateKey === advocate),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
