/**
 * Tenant, entity and dedupe key of a GrowSurf delivery (docs/providers.md#growsurf-dedupe,
 * docs/providers.md#growsurf-campaign).
 * GrowSurf sends no delivery id, so keys are natural: a reward's id plus its
 * approval (the pending and the approved copy are two facts; a retry of either
 * is one), a participant's id, a campaign's end. When a field a key needs is
 * missing (or null), the key is the hash of the canonical body instead.
 */
import type { JsonObject } from '../../ledger/json';
import type { EntityRef } from '../../ledger/webhook-received';
import { literalAt, objectAt } from '../../ledger/json';
import { contentHash } from '../../ledger/canonical-json';
import { isGrowsurfEvent } from './growsurf-events';

export interface GrowsurfIdentity {
  readonly dedupeKey: string;
  readonly entity: EntityRef;
}

/**
 * The campaign a body names: `data.id` for CAMPAIGN_ENDED (data is the campaign),
 * else `data.campaign.id` (NEW_PARTICIPANT_ADDED: data is the participant, so
 * `data.id` is not a campaign), with `campaignId` fields as a guess for the
 * affiliate events, whose shapes are undocumented.
 */
export function growsurfCampaignOf(event: string, body: JsonObject): string | null {
  const data = objectAt(body, 'data');
  if (event === 'CAMPAIGN_ENDED') return literalAt(data, 'id') ?? null;
  return (
    literalAt(objectAt(data, 'campaign'), 'id') ??
    literalAt(data, 'campaignId') ??
    literalAt(objectAt(data, 'participant'), 'campaignId') ??
    null
  );
}

export function describeGrowsurfDelivery(
  event: string,
  body: JsonObject,
  campaignId: string | null,
): GrowsurfIdentity {
  const data = objectAt(body, 'data');
  const scope = `growsurf:${campaignId ?? '-'}`;
  const identity = (
    kind: string | null,
    id: string | null,
    parts: readonly (string | null)[] | undefined,
  ): GrowsurfIdentity => ({
    dedupeKey:
      parts !== undefined && parts.every((part) => part !== null)
        ? [scope, ...parts].join(':')
        : `${scope}:${event}:${contentHash(body)}`,
    entity: { fqdn: kind === null ? null : `growsurf.${kind}`, id: id ?? null, sequence: null },
  });

  if (!isGrowsurfEvent(event)) return identity(null, null, undefined);
  switch (event) {
    case 'PARTICIPANT_REACHED_A_GOAL': {
      // reward.id is the ParticipantReward: referrer and referee each have their own.
      const reward = objectAt(data, 'reward');
      const id = literalAt(reward, 'id');
      const approved = typeof reward?.approved === 'boolean' ? String(reward.approved) : null;
      return identity('reward', id, ['reward', id, approved]);
    }
    case 'NEW_PARTICIPANT_ADDED': {
      const id = literalAt(data, 'id');
      return identity('participant', id, ['participant', id]);
    }
    case 'CAMPAIGN_ENDED': {
      const id = literalAt(data, 'id');
      // The campaign id is the scope already: growsurf:{data.id}:ended:{endedAt}.
      return identity('campaign', id, ['ended', literalAt(data, 'endedAt')]);
    }
    case 'PARTICIPANT_FRAUD_STATUS_UPDATED': {
      const participant = objectAt(data, 'participant') ?? data;
      const id = literalAt(participant, 'id');
      return identity('participant', id, [
        'fraud',
        id,
        literalAt(participant, 'fraudRiskLevel'),
        literalAt(participant, 'fraudReasonCode'),
        literalAt(body, 'createdAt'),
      ]);
    }
    case 'NEW_COMMISSION_ADDED': {
      const id = literalAt(objectAt(data, 'commission') ?? data, 'id');
      return identity('commission', id, ['commission', id]);
    }
    case 'COMMISSION_ADJUSTED': {
      const commission = objectAt(data, 'commission') ?? data;
      const id = literalAt(commission, 'id');
      return identity('commission', id, [
        'commission',
        id,
        'adjusted',
        literalAt(commission, 'amount'),
        literalAt(commission, 'status'),
      ]);
    }
    case 'NEW_PAYOUT_ISSUED': {
      const id = literalAt(objectAt(data, 'payout') ?? data, 'id');
      return identity('payout', id, ['payout', id]);
    }
    default:
      return identity(null, null, undefined);
  }
}
