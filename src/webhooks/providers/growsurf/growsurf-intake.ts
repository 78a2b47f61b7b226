import type { WebhooksConfig } from '../../../config/app-config';
import { decodeUtf8, parseJsonObject } from '../../json-body';
import { rejectBadSignature, rejectMalformed, rejectNotConfigured } from '../../webhook-rejection';
import type { AcceptDelivery } from '../provider-intake';
import { keepHeaders, requireJson } from '../shared/http-facts';
import { describeGrowsurf, isGrowsurfEvent } from './growsurf-delivery';
import { verifyGrowsurfSignature } from './growsurf-signature';

export function createGrowsurfIntake(config: WebhooksConfig['growsurf']): AcceptDelivery {
  return (request) => {
    if (config.secrets.length === 0) {
      throw rejectNotConfigured('GROWSURF_WEBHOOK_SECRET (or GROWSURF_WEBHOOK_SECRETS)');
    }
    requireJson(request.headers);
    const keyId = verifyGrowsurfSignature(
      request.rawBody,
      request.headers['growsurf-signature'],
      config.secrets,
      request.receivedAt,
      config.toleranceMs,
    );
    const body = parseJsonObject(decodeUtf8(request.rawBody));
    const event = body.event;
    if (typeof event !== 'string' || event === '')
      throw rejectMalformed('"event" must be a non-empty string');
    if (typeof body.data !== 'object' || body.data === null || Array.isArray(body.data)) {
      throw rejectMalformed('"data" must be an object');
    }
    const facts = describeGrowsurf(event, body);
    // A campaign-scoped secret only vouches for its own campaign.
    if (keyId !== '*' && keyId !== facts.campaignId) {
      throw rejectBadSignature('the body was signed with the secret of another campaign');
    }
    return {
      provider: 'growsurf',
      source: 'growsurf',
      providerEventType: event,
      dedupeKey: facts.dedupeKey,
      tenantId: facts.campaignId,
      entity: facts.entity,
      receivedAt: request.receivedAt.toISOString(),
      verification: { method: 'growsurf-signature', signed: true, keyId },
      understood: isGrowsurfEvent(event),
      payload: body,
      delivery: {
        contentType: request.headers['content-type'] ?? null,
        headers: keepHeaders(request.headers, ['content-type', 'growsurf-signature', 'user-agent']),
        body: request.rawBody.toString('utf8'),
      },
    };
  };
}
