/** The read API's page, row and filter types, and the SQL rows behind them. */
import type { CampaignDoc } from '../projections/rewards/ledger-documents';
import type { ReferralCounts } from '../projections/participant-view';
import type { EntryRow } from './storage/read-model-store';

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

export interface Paged<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface LeaderboardRow {
  /** 1-based place in the sorted board (ties keep distinct places, ordered by key). */
  readonly place: number;
  readonly participantKey: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly approved: number;
  readonly total: number;
}

export interface CampaignView {
  readonly campaign: CampaignDoc;
  readonly referrals: ReferralCounts;
}

export interface ReferralFilter {
  readonly advocateKey?: string;
  readonly friendKey?: string;
  readonly campaignKey?: string;
  readonly status?: string;
}

export type LedgerEntryView = Omit<EntryRow, 'position'> & { readonly position: string };

const FILTER_COLUMNS: Readonly<Record<keyof ReferralFilter, string>> = {
  advocateKey: `json_extract(body, '$.advocateKey')`,
  friendKey: `json_extract(body, '$.friendKey')`,
  campaignKey: `json_extract(body, '$.campaignKey')`,
  status: `json_extract(body, '$.status')`,
};

export function referralWhere(filter: ReferralFilter): { where: string; values: string[] } {
  const parts = [`collection = 'referral'`];
  const values: string[] = [];
  for (const name of Object.keys(FILTER_COLUMNS) as (keyof ReferralFilter)[]) {
    const value = filter[name];
    if (value === undefined) continue;
    parts.push(`${FILTER_COLUMNS[name]} = ?`);
    values.push(value);
  }
  return { where: parts.join(' AND '), values };
}

export interface EntrySqlRow {
  readonly projection: string;
  readonly position: bigint;
  readonly seq: bigint;
  readonly entity_kind: string;
  readonly entity_key: string;
  readonly owner_key: string | null;
  readonly outcome: EntryRow['outcome'];
  readonly event_id: string;
  readonly stream_id: string;
  readonly provider_type: string;
  readonly received_at: string;
  readonly detail: string;
}

export function toEntryView(row: EntrySqlRow): LedgerEntryView {
  return {
    projection: row.projection,
    position: row.position.toString(),
    seq: Number(row.seq),
    entityKind: row.entity_kind,
    entityKey: row.entity_key,
    ownerKey: row.owner_key,
    outcome: row.outcome,
    eventId: row.event_id,
    streamId: row.stream_id,
    providerType: row.provider_type,
    receivedAt: row.received_at,
    detail: JSON.parse(row.detail) as EntryRow['detail'],
  };
}
