/**
 * Unwraps the verified `data` claim (docs/providers.md#wix-envelope): a JSON string holding
 * `{eventType, instanceId, data, identity, accountInfo}`, where `data` (the
 * domain event) and `identity` are JSON strings again and `accountInfo` is an
 * object. Every nested parse goes through json-body, so bad JSON or prototype
 * keys are a 400 naming the layer, line and column.
 */
import type { JsonObject } from '../../ledger/json';
import { checkEnvelope } from '../shared/envelope-validation';
import { parseJsonObject } from '../shared/json-body';
import { rejectMalformed } from '../../ledger/errors';
import { readWixDomainEvent, type WixDomainEvent } from './wix-domain-event';
import { WixMessageEnvelope } from './wix-envelope.dto';
import { nestedObject } from './wix-nested-json';

export interface WixEnvelope {
  readonly eventType: string;
  readonly instanceId: string;
  /** `{identityType, memberId | wixUserId | appId | anonymousVisitorId}`; null when absent. */
  readonly identity: JsonObject | null;
  /** `{accountId, parentAccountId?, siteId?}`; null when absent. */
  readonly accountInfo: JsonObject | null;
  readonly domainEvent: WixDomainEvent;
}

export function unwrapWixEnvelope(claimData: string): WixEnvelope {
  const envelope = parseJsonObject(claimData, 'envelope (JWT claim "data")');
  const { eventType, instanceId } = checkEnvelope(WixMessageEnvelope, envelope, 'Wix envelope');
  const domainEvent = nestedObject(envelope.data, 'domain event (envelope.data)');
  if (domainEvent === null) throw rejectMalformed('the envelope has no data (the domain event)');
  return {
    eventType,
    instanceId,
    identity: nestedObject(envelope.identity, 'identity (envelope.identity)'),
    accountInfo: nestedObject(envelope.accountInfo, 'accountInfo (envelope.accountInfo)'),
    domainEvent: readWixDomainEvent(domainEvent),
  };
}
