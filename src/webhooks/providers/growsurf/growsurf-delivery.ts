/** What GrowSurf deliveries mean: event names, tenant, entity and the dedupe key (providers.md §3). */
import type { JsonObject } from '../../../event-store/event-store.port';
import type { EntityRef } from '../../../ledger/webhook-received';
import { contentHash, objectAt, textAt } from '../shared/json-access';

export const GROWSURF_EVENTS = [
  'PARTICIPANT_REACHED_A_GOAL',
  'NEW_PARTICIPANT_ADDED',
  'PARTICIPANT_FRAUD_STATUS_UPDATED',
  'NEW_COMMISSION_ADDED',
  'COMMISSION_ADJUSTED',
  'NEW_PAYOUT_ISSUED',
  'CAMPAIGN_ENDED',
] as const;

export type GrowsurfEvent = (typeof GROWSURF_EVENTS)[number];

export function isGrowsurfEvent(name: string): name is GrowsurfEvent {
  return (GROWSURF_EVENTS as readonly string[]).includes(name);
}

export interface GrowsurfFacts {
  readonly campaignId: string | null;
  readonly entity: EntityRef;
  readonly dedupeKey: string;
}

/**
 * GrowSurf has no delivery id: keys are natural (a reward's id plus its
 * approval, so the pending and the approved copy are two facts), with a
 * content hash wherever a field the key needs is missing.
 */
export function describeGrowsurf(event: string, body: JsonObject): GrowsurfFacts {
  const data = objectAt(body, 'data') ?? {};
  const campaignId = event === 'CAMPAIGN_ENDED' ? (textAt(data, 'id') ?? null) : campaignOf(data);
  const scope = `growsurf:${campaignId ?? '-'}`;
  const fallback = (kind: string, id: string | null = null): GrowsurfFacts => ({
    campaignId,
    entity: { fqdn: `growsurf.${kind}`, id, sequence: null },
    dedupeKey: `${scope}:${event}:${contentHash(body)}`,
  });
  const keyed = (kind: string, id: string | undefined, key: string): GrowsurfFacts =>
    id === undefined
      ? fallback(kind)
      : { campaignId, entity: { fqdn: `growsurf.${kind}`, id, sequence: null }, dedupeKey: key };

  if (!isGrowsurfEvent(event)) return fallback('unknown');
  switch (event) {
    case 'PARTICIPANT_REACHED_A_GOAL': {
      const reward = objectAt(data, 'reward');
      const id = textAt(reward, 'id');
      const approved = reward?.approved === true;
      return keyed('reward', id, `${scope}:reward:${id}:${approved ? 'approved' : 'pending'}`);
    }
    case 'NEW_PARTICIPANT_ADDED': {
      const id = textAt(data, 'id');
      return keyed('participant', id, `${scope}:participant:${id}`);
    }
    case 'CAMPAIGN_ENDED': {
      const endedAt = textAt(data, 'endedAt');
      return endedAt === undefined
        ? fallback('campaign', campaignId)
        : keyed('campaign', campaignId ?? undefined, `${scope}:ended:${endedAt}`);
    }
    case 'PARTICIPANT_FRAUD_STATUS_UPDATED': {
      const participant = objectAt(data, 'participant') ?? data;
      const id = textAt(participant, 'id');
      const state = [
        textAt(participant, 'fraudRiskLevel') ?? '-',
        textAt(participant, 'fraudReasonCode') ?? '-',
        textAt(body, 'createdAt') ?? '-',
      ].join(':');
      return keyed('participant', id, `${scope}:fraud:${id}:${state}`);
    }
    case 'NEW_COMMISSION_ADDED':
    case 'COMMISSION_ADJUSTED': {
      const commission = objectAt(data, 'commission') ?? data;
      const id = textAt(commission, 'id');
      const suffix =
        event === 'COMMISSION_ADJUSTED'
          ? `:adjusted:${textAt(commission, 'amount') ?? '-'}:${textAt(commission, 'status') ?? '-'}:${textAt(body, 'createdAt') ?? '-'}`
          : '';
      return keyed('commission', id, `${scope}:commission:${id}${suffix}`);
    }
    case 'NEW_PAYOUT_ISSUED': {
      const payout = objectAt(data, 'payout') ?? data;
      const id = textAt(payout, 'id');
      return keyed('payout', id, `${scope}:payout:${id}`);
    }
    default:
      return fallback('unknown');
  }
}

function campaignOf(data: JsonObject): string | null {
  return (
    textAt(objectAt(data, 'campaign'), 'id') ??
    textAt(data, 'campaignId') ??
    textAt(objectAt(data, 'participant'), 'campaignId') ??
    null
  );
}
