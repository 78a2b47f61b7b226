/**
 * Refir signs nothing and lets its users configure only a URL (providers.md §4),
 * so the URL carries an unguessable token. Its events are recorded as
 * unverified by signature: a claim, not proof.
 */
import type { WebhooksConfig } from '../../../config/app-config';
import type { JsonObject } from '../../../event-store/event-store.port';
import { decodeUtf8, parseJsonObject } from '../../json-body';
import { rejectBadSignature, rejectNotConfigured } from '../../webhook-rejection';
import type { AcceptDelivery } from '../provider-intake';
import { keepHeaders, requireJson } from '../shared/http-facts';
import { objectAt, textAt } from '../shared/json-access';
import { safeEqual, sha256Hex } from '../shared/secrets';

export function createRefirIntake(config: WebhooksConfig['refir']): AcceptDelivery {
  return (request) => {
    if (config.token === undefined) throw rejectNotConfigured('REFIR_WEBHOOK_TOKEN');
    if (!safeEqual(request.params.token ?? '', config.token)) {
      throw rejectBadSignature('the path token does not match REFIR_WEBHOOK_TOKEN');
    }
    requireJson(request.headers);
    const body = parseJsonObject(decodeUtf8(request.rawBody));
    const type = textAt(body, 'event') ?? textAt(body, 'type') ?? textAt(body, 'eventType');
    const referral = describesReferral(body);
    return {
      provider: 'refir',
      source: 'refir',
      providerEventType: type ?? (referral ? 'referral' : 'unknown'),
      // No id of any kind: the exact bytes are the identity of a delivery.
      dedupeKey: `refir:sha256:${sha256Hex(request.rawBody)}`,
      tenantId: textAt(body, 'campaignId') ?? textAt(body, 'campaign') ?? null,
      entity: { fqdn: 'refir.referral', id: textAt(body, 'id') ?? null, sequence: null },
      receivedAt: request.receivedAt.toISOString(),
      verification: { method: 'refir-path-token', signed: false, keyId: 'refir' },
      understood: referral,
      payload: body,
      delivery: {
        contentType: request.headers['content-type'] ?? null,
        headers: keepHeaders(request.headers, ['content-type', 'user-agent']),
        body: request.rawBody.toString('utf8'),
      },
    };
  };
}

/** Refir's data "typically includes the new lead, the referring user, and a message". */
function describesReferral(body: JsonObject): boolean {
  const lead = objectAt(body, 'lead') ?? objectAt(body, 'user') ?? objectAt(body, 'referred');
  const referrer =
    objectAt(body, 'referrer') ??
    objectAt(body, 'referringUser') ??
    objectAt(body, 'referrer_user');
  return lead !== undefined && referrer !== undefined;
}
