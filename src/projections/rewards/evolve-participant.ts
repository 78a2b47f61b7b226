import {
  participantKey,
  type Cause,
  type FraudFact,
  type ParticipantObserved,
} from '../../ledger/reward-ledger';
import { canonicalEqual } from '../../ledger/canonical-json';
import type { DocumentBody, EntryOutcome } from '../projection';
import { sortedUnion, type ParticipantDoc } from './ledger-documents';

export interface Evolved<T> {
  readonly doc: T;
  readonly outcome: EntryOutcome;
}

/**
 * Facts accumulate (unsubscribed and winner only become true, shares add up);
 * fraud keeps the latest provider observation; a sequenced entity snapshot
 * replaces the entity's state only when its sequence is above the applied one.
 */
export function evolveParticipant(
  current: ParticipantDoc | undefined,
  change: ParticipantObserved,
  cause: Cause,
): Evolved<ParticipantDoc> {
  const base = current ?? emptyParticipant(change);
  const entity = nextEntity(base.entity, change, cause);
  if (entity === 'superseded' || entity === 'duplicate') return { doc: base, outcome: entity };
  const { facts } = change;
  const doc: ParticipantDoc = {
    ...base,
    email: change.email ?? base.email,
    name: change.name ?? base.name,
    campaignKeys: sortedUnion(base.campaignKeys, [change.campaignKey]),
    unsubscribed: base.unsubscribed || facts.unsubscribed === true,
    unsubscribedAt: base.unsubscribedAt ?? facts.unsubscribedAt ?? null,
    fraud: laterFraud(base.fraud, facts.fraud),
    isWinner: base.isWinner || facts.isWinner === true,
    signedUpAs: sortedUnion(base.signedUpAs, [facts.signedUpAs ?? null]),
    shares: base.shares + (facts.shares ?? 0),
    entity,
  };
  return { doc, outcome: current === undefined || changed(current, doc) ? 'applied' : 'unchanged' };
}

function nextEntity(
  entity: ParticipantDoc['entity'],
  change: ParticipantObserved,
  cause: Cause,
): ParticipantDoc['entity'] | 'superseded' | 'duplicate' {
  if (change.sequence === null) return entity;
  if (entity !== null && BigInt(change.sequence) <= BigInt(entity.sequence)) {
    return entity.eventId === cause.eventId ? 'duplicate' : 'superseded';
  }
  const { facts } = change;
  return {
    sequence: change.sequence,
    eventId: cause.eventId,
    contactId: facts.contactId ?? null,
    referralCode: facts.referralCode ?? null,
    providerStatus: facts.providerStatus ?? null,
    removed: facts.removed === true,
  };
}

/** The latest observation wins; equal timestamps fall back to comparing the values, so order never matters. */
function laterFraud(
  current: ParticipantDoc['fraud'],
  next: FraudFact | undefined,
): ParticipantDoc['fraud'] {
  if (next === undefined) return current;
  const candidate = { level: next.level, reasonCode: next.reasonCode, observedAt: next.observedAt };
  if (current === null) return candidate;
  const a = [current.observedAt, current.level ?? '', current.reasonCode ?? ''] as const;
  const b = [candidate.observedAt, candidate.level ?? '', candidate.reasonCode ?? ''] as const;
  if (b[0] !== a[0]) return b[0] > a[0] ? candidate : current;
  return `${b[1]}\u0000${b[2]}` > `${a[1]}\u0000${a[2]}` ? candidate : current;
}

function emptyParticipant(change: ParticipantObserved): ParticipantDoc {
  const { participant } = change;
  return {
    key: participantKey(participant),
    provider: participant.provider,
    tenant: participant.tenant,
    providerId: participant.providerId,
    email: null,
    name: null,
    campaignKeys: [],
    unsubscribed: false,
    unsubscribedAt: null,
    fraud: null,
    isWinner: false,
    signedUpAs: [],
    shares: 0,
    entity: null,
  };
}

export function changed(a: DocumentBody, b: DocumentBody): boolean {
  return !canonicalEqual(a, b);
}
