/**
 * `POST /webhooks/wix`: the whole body is an RS256 JWT (docs/providers.md#wix-delivery).
 * Wix does not document its content type (probably text/plain), so the raw
 * bytes are read as text whatever the header says.
 */
import type { WebhooksConfig } from '../../config/app-config';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { rejectNotConfigured } from '../../ledger/errors';
import { keepHeaders } from '../shared/http-facts';
import type { AcceptDelivery, InboundRequest } from '../provider-intake';
import { wixDedupeKey } from './wix-dedupe';
import { unwrapWixEnvelope, type WixEnvelope } from './wix-envelope';
import { isUnderstoodWixEvent } from './wix-events';
import type { JsonObject } from '../../ledger/json';
import {
  readStoredWixJwtData,
  verifyWixJwt,
  WIX_DEFAULT_LEEWAY,
  type WixClockLeeway,
} from './wix-jwt';

export interface WixIntakeOptions {
  readonly leeway?: WixClockLeeway;
}

export function createWixIntake(
  config: WebhooksConfig['wix'],
  options: WixIntakeOptions = {},
): AcceptDelivery {
  const leeway = options.leeway ?? WIX_DEFAULT_LEEWAY;
  return (request) => {
    if (config.keys.length === 0) {
      throw rejectNotConfigured('WIX_APP_PUBLIC_KEY (or WIX_APP_PUBLIC_KEYS)');
    }
    // A compact JWT is ASCII: latin1 maps each byte to one character, so any
    // other byte fails the JWT syntax check as "not a JWT" (401), before any key.
    const token = request.rawBody.toString('latin1').trim();
    const { claims, keyId } = verifyWixJwt(token, config.keys, request.receivedAt, leeway);
    return describe(request, token, keyId, unwrapWixEnvelope(claims.data));
  };
}

function describe(
  { headers, receivedAt }: InboundRequest,
  token: string,
  keyId: string,
  envelope: WixEnvelope,
): WebhookReceived {
  const event = envelope.domainEvent;
  return {
    provider: 'wix',
    source: 'wix',
    providerEventType: envelope.eventType,
    dedupeKey: wixDedupeKey(envelope.instanceId, event.id),
    tenantId: envelope.instanceId,
    entity: { fqdn: event.entityFqdn, id: event.entityId, sequence: event.entityEventSequence },
    receivedAt: receivedAt.toISOString(),
    verification: { method: 'wix-jwt-rs256', signed: true, keyId },
    understood: isUnderstoodWixEvent(envelope.eventType, event),
    payload: wixPayload(envelope),
    delivery: {
      contentType: headers['content-type'] ?? null,
      headers: keepHeaders(headers, WIX_PROVENANCE_HEADERS),
      // The token itself, so that its provenance can be verified again later.
      body: token,
    },
  };
}

/** The payload the projections read: the envelope with its JSON strings parsed. */
function wixPayload(envelope: WixEnvelope): JsonObject {
  return {
    eventType: envelope.eventType,
    instanceId: envelope.instanceId,
    identity: envelope.identity,
    accountInfo: envelope.accountInfo,
    data: envelope.domainEvent.json,
  };
}

/** The same payload, read back from a stored delivery's body (the token, verified on arrival). */
export function readWixPayload(token: string): JsonObject {
  return wixPayload(unwrapWixEnvelope(readStoredWixJwtData(token)));
}

/**
 * The headers kept with a delivery, by name: the content type, the user agent
 * and Wix's request id (Wix documents no headers of its own; a request id is
 * what its support would ask for). Any other `x-wix-*` header is the sender's
 * choice, not Wix's provenance, so it is not stored: a prefix let a sender
 * write whatever it liked into the immutable log. The JWT body is the proof.
 */
export const WIX_PROVENANCE_HEADERS = ['content-type', 'user-agent', 'x-wix-request-id'] as const;
