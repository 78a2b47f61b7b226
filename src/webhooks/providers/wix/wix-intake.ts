import type { WebhooksConfig } from '../../../config/app-config';
import { decodeUtf8 } from '../../json-body';
import { rejectMalformed, rejectNotConfigured } from '../../webhook-rejection';
import type { AcceptDelivery } from '../provider-intake';
import { keepHeaders } from '../shared/http-facts';
import { textAt } from '../shared/json-access';
import { unwrapWixClaims } from './wix-envelope';
import { isKnownWixEvent } from './wix-events';
import { verifyWixJwt } from './wix-jwt';

/** Wix sends the JWT as the whole body; its content type is not documented, so any is read as text. */
export function createWixIntake(config: WebhooksConfig['wix']): AcceptDelivery {
  return (request) => {
    if (config.keys.length === 0)
      throw rejectNotConfigured('WIX_APP_PUBLIC_KEY (or WIX_APP_PUBLIC_KEYS)');
    const token = decodeUtf8(request.rawBody).trim();
    const { claims, keyId } = verifyWixJwt(token, config.keys, request.receivedAt);
    const envelope = unwrapWixClaims(claims);
    const event = envelope.domainEvent;
    const eventId = textAt(event, 'id');
    if (eventId === undefined) throw rejectMalformed('the domain event has no id');
    const sequence = textAt(event, 'entityEventSequence') ?? null;
    if (sequence !== null && !/^\d{1,20}$/.test(sequence)) {
      throw rejectMalformed('entityEventSequence must be a decimal integer');
    }
    const fqdn = textAt(event, 'entityFqdn') ?? null;
    return {
      provider: 'wix',
      source: 'wix',
      providerEventType: envelope.eventType,
      dedupeKey: `wix:${envelope.instanceId}:${eventId}`,
      tenantId: envelope.instanceId,
      entity: { fqdn, id: textAt(event, 'entityId') ?? null, sequence },
      receivedAt: request.receivedAt.toISOString(),
      verification: { method: 'wix-jwt-rs256', signed: true, keyId },
      understood: isKnownWixEvent(envelope.eventType, fqdn, textAt(event, 'slug') ?? null),
      payload: {
        eventType: envelope.eventType,
        instanceId: envelope.instanceId,
        identity: envelope.identity,
        accountInfo: envelope.accountInfo,
        data: event,
      },
      delivery: {
        contentType: request.headers['content-type'] ?? null,
        headers: keepHeaders(request.headers, ['content-type', 'user-agent']),
        body: token,
      },
    };
  };
}
