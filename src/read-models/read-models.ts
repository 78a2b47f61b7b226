/**
 * Typed queries over the read models, for the REST controllers: every list is
 * sorted with a unique tie-breaker (the key), so the same log always gives the
 * same answers, byte for byte.
 */
import type {
  CampaignDoc,
  ParticipantDoc,
  ReferralDoc,
  RewardDoc,
} from '../projections/rewards/ledger-documents';
import {
  ADVOCATE_REFERRALS,
  CAMPAIGN_REFERRALS,
  LEADERBOARD,
  NO_REFERRALS,
  type CountsDoc,
} from '../projections/rewards/referral-tallies';
import {
  participantView,
  type ParticipantView,
  type ReferralCounts,
} from '../projections/participant-view';
import { referralsByDay, type ReferralDay } from '../projections/referrals-by-day';
import type { ReviewRequestDoc } from '../projections/reviews/review-requests.projection';
import {
  referralWhere,
  toEntryView,
  type CampaignView,
  type EntrySqlRow,
  type LeaderboardRow,
  type LedgerEntryView,
  type Page,
  type Paged,
  type ReferralFilter,
} from './read-model-rows';
import type { ProblemRow, ReadModelStore } from './storage/read-model-store';
import type { Statement, Transaction } from 'better-sqlite3';
import { unsubscribeKey } from '../projections/unsubscribes/unsubscribes.projection';

export class ReadModels {
  /** Compiled statements by SQL text: compiling costs more than running most of these queries. */
  private readonly statements = new Map<string, Statement>();
  private snapshot: Transaction<(run: () => unknown) => unknown> | undefined;

  constructor(private readonly store: ReadModelStore) {}

  private prepare<P extends unknown[], R>(sql: string): Statement<P, R> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.store.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Statement<P, R>;
  }

  getParticipant(key: string): ParticipantView | undefined {
    return this.inOneSnapshot(() => {
      const participant = this.document<ParticipantDoc>('participant', key);
      if (participant === undefined) return undefined;
      return participantView(
        participant,
        this.counts(ADVOCATE_REFERRALS, key),
        this.referrals({ friendKey: key }),
        this.rewardsOf(key),
      );
    });
  }

  /**
   * Runs the statements of one answer in one read transaction: they see the
   * same commit of the writer (no document from before a batch beside one from
   * after it), and SQLite takes and releases its WAL read lock once instead of
   * once per statement (two fcntl calls and an fstat each: measured ~20 µs of
   * system time per participant lookup at 1M deliveries with four statements).
   */
  private inOneSnapshot<T>(read: () => T): T {
    this.snapshot ??= this.store.db.transaction((run: () => unknown) => run());
    return this.snapshot(read) as T;
  }

  /** Whether a participant is held under this key: one index seek, nothing parsed. */
  hasParticipant(key: string): boolean {
    return this.store.hasDocument({ collection: 'participant', key });
  }

  findParticipantsByEmail(email: string): ParticipantDoc[] {
    return this.bodies<ParticipantDoc>(
      `SELECT body FROM documents WHERE collection = 'participant'
       AND json_extract(body, '$.email') = ? ORDER BY key`,
      email.trim().toLowerCase(),
    );
  }

  listReferrals(filter: ReferralFilter, page: Page): Paged<ReferralDoc> {
    const { where, values } = referralWhere(filter);
    const total = this.count(`SELECT COUNT(*) AS n FROM documents WHERE ${where}`, ...values);
    const items = this.bodies<ReferralDoc>(
      `SELECT body FROM documents WHERE ${where} ORDER BY key LIMIT ? OFFSET ?`,
      ...values,
      page.limit,
      page.offset,
    );
    return { items, total, ...page };
  }

  listRewards(ownerKey: string, page: Page): Paged<RewardDoc> {
    const all = this.rewardsOf(ownerKey);
    return { items: all.slice(page.offset, page.offset + page.limit), total: all.length, ...page };
  }

  /** Every reward state change of a participant, in log order: explains each balance. */
  getRewardHistory(participantKey: string): LedgerEntryView[] {
    return this.entries(`owner_key = ? AND entity_kind = 'reward'`, participantKey);
  }

  /** Every change recorded for one document (reward, referral, participant, review request). */
  getEntityHistory(entityKey: string): LedgerEntryView[] {
    return this.entries('entity_key = ?', entityKey);
  }

  /** From the tallies the ledger projection keeps: one index range per page, however large the campaign. */
  listLeaderboard(campaignKey: string, page: Page): Paged<LeaderboardRow> {
    const total = this.document<CountsDoc>(CAMPAIGN_REFERRALS, campaignKey)?.advocates ?? 0;
    const rows = this.prepare<
      unknown[],
      {
        advocate: string;
        approved: bigint;
        total: bigint;
        email: string | null;
        name: string | null;
      }
    >(
      `SELECT json_extract(l.body, '$.advocateKey') AS advocate,
         json_extract(l.body, '$.approved') AS approved, json_extract(l.body, '$.total') AS total,
         json_extract(p.body, '$.email') AS email, json_extract(p.body, '$.name') AS name
       FROM documents l
       LEFT JOIN documents p
         ON p.collection = 'participant' AND p.key = json_extract(l.body, '$.advocateKey')
       WHERE l.collection = '${LEADERBOARD}' AND json_extract(l.body, '$.total') > 0
         AND json_extract(l.body, '$.campaignKey') = ?
       ORDER BY json_extract(l.body, '$.approved') DESC, json_extract(l.body, '$.total') DESC,
         json_extract(l.body, '$.advocateKey') ASC
       LIMIT ? OFFSET ?`,
    ).all(campaignKey, page.limit, page.offset);
    const items = rows.map((row, index): LeaderboardRow => ({
      place: page.offset + index + 1,
      participantKey: row.advocate,
      email: row.email,
      name: row.name,
      approved: Number(row.approved),
      total: Number(row.total),
    }));
    return { items, total, ...page };
  }

  /**
   * A campaign's referrals by status at the end of each day with a change (see
   * referrals-by-day.ts): its referrals through their campaign index, each
   * one's applied changes through the entries' entity index, in log order.
   */
  listReferralsByDay(campaignKey: string): ReferralDay[] {
    const rows = this.prepare<[string], { key: string; received_at: string; status: string }>(
      `SELECT e.entity_key AS key, e.received_at, json_extract(e.detail, '$.resulting') AS status
       FROM documents r
       JOIN ledger_entries e ON e.entity_key = r.key
       WHERE r.collection = 'referral' AND json_extract(r.body, '$.campaignKey') = ?
         AND e.entity_kind = 'referral' AND e.outcome = 'applied'
         AND json_extract(e.detail, '$.resulting') IS NOT NULL
       ORDER BY e.position, e.seq`,
    ).all(campaignKey);
    return referralsByDay(
      rows.map((row) => ({
        referralKey: row.key,
        receivedAt: row.received_at,
        status: row.status,
      })),
    );
  }

  getCampaign(key: string): CampaignView | undefined {
    const campaign = this.document<CampaignDoc>('campaign', key);
    return campaign === undefined
      ? undefined
      : { campaign, referrals: this.counts(CAMPAIGN_REFERRALS, key) };
  }

  listCampaigns(page: Page): Paged<CampaignView> {
    const total = this.count(`SELECT COUNT(*) AS n FROM documents WHERE collection = 'campaign'`);
    const items = this.bodies<CampaignDoc>(
      `SELECT body FROM documents WHERE collection = 'campaign' ORDER BY key LIMIT ? OFFSET ?`,
      page.limit,
      page.offset,
    ).map((campaign) => ({ campaign, referrals: this.counts(CAMPAIGN_REFERRALS, campaign.key) }));
    return { items, total, ...page };
  }

  getReviewRequest(key: string): ReviewRequestDoc | undefined {
    return this.document<ReviewRequestDoc>('review-request', key);
  }

  listReviewRequests(
    tenant: string,
    page: Page,
    options: { includeDeleted?: boolean } = {},
  ): Paged<ReviewRequestDoc> {
    const where = `collection = 'review-request' AND json_extract(body, '$.tenant') = ?
      ${options.includeDeleted === true ? '' : `AND json_extract(body, '$.deleted') = 0`}`;
    const total = this.count(`SELECT COUNT(*) AS n FROM documents WHERE ${where}`, tenant);
    const items = this.bodies<ReviewRequestDoc>(
      `SELECT body FROM documents WHERE ${where} ORDER BY key LIMIT ? OFFSET ?`,
      tenant,
      page.limit,
      page.offset,
    );
    return { items, total, ...page };
  }

  /** Answers Talkable's `check_unsubscribe_web_hook` from the unsubscribes recorded so far. */
  isUnsubscribed(site: string | null, email: string): boolean {
    return this.document('unsubscribe', unsubscribeKey(site, email)) !== undefined;
  }

  listNotUnderstood(page: Page): Paged<Omit<ProblemRow, 'position'> & { position: string }> {
    const total = this.count('SELECT COUNT(*) AS n FROM not_understood');
    const items = this.prepare<
      unknown[],
      {
        projection: string;
        position: bigint;
        event_id: string;
        event_type: string;
        reason: string;
      }
    >(`SELECT * FROM not_understood ORDER BY position, projection LIMIT ? OFFSET ?`)
      .all(page.limit, page.offset)
      .map((r) => ({
        projection: r.projection,
        position: r.position.toString(),
        eventId: r.event_id,
        eventType: r.event_type,
        message: r.reason,
      }));
    return { items, total, ...page };
  }

  private counts(collection: string, key: string): ReferralCounts {
    const doc = this.document<CountsDoc>(collection, key);
    if (doc === undefined) return NO_REFERRALS;
    const { total, pending, approved, voided, other } = doc;
    return { total, pending, approved, voided, other };
  }

  private referrals(filter: ReferralFilter): ReferralDoc[] {
    const { where, values } = referralWhere(filter);
    return this.bodies<ReferralDoc>(
      `SELECT body FROM documents WHERE ${where} ORDER BY key`,
      ...values,
    );
  }

  private rewardsOf(ownerKey: string): RewardDoc[] {
    return this.bodies<RewardDoc>(
      `SELECT body FROM documents WHERE collection = 'reward'
       AND json_extract(body, '$.ownerKey') = ? ORDER BY key`,
      ownerKey,
    );
  }

  private entries(where: string, value: string): LedgerEntryView[] {
    return this.prepare<[string], EntrySqlRow>(
      `SELECT * FROM ledger_entries WHERE ${where} ORDER BY position, seq, projection`,
    )
      .all(value)
      .map(toEntryView);
  }

  private document<T>(collection: string, key: string): T | undefined {
    return this.store.readDocument({ collection, key }) as T | undefined;
  }

  private bodies<T>(sql: string, ...values: unknown[]): T[] {
    return this.prepare<unknown[], { body: string }>(sql)
      .all(...values)
      .map((row) => JSON.parse(row.body) as T);
  }

  private count(sql: string, ...values: unknown[]): number {
    return Number(this.prepare<unknown[], { n: bigint }>(sql).get(...values)?.n ?? 0n);
  }
}
