/**
 * `POST /webhooks/refir/:token`: JSON of an undocumented shape, authenticated
 * only by the secret token in the URL. Recorded as unverified by signature: a
 * claim, not proof (do not release money on a Refir event alone).
 */
import type { WebhooksConfig } from '../../config/app-config';
import { decodeUtf8, parseJsonObject } from '../shared/json-body';
import { rejectNotConfigured } from '../../ledger/errors';
import type { AcceptDelivery } from '../provider-intake';
import { keepHeaders, requireJson } from '../shared/http-facts';
import { literalAt } from '../../ledger/json';
import { refirDedupeKey } from './refir-dedupe';
import { carriesRefirReferral, refirEventType } from './refir-referral';
import { verifyRefirToken } from './refir-token';

export function createRefirIntake(config: WebhooksConfig['refir']): AcceptDelivery {
  return (request) => {
    if (config.token === undefined) throw rejectNotConfigured('REFIR_WEBHOOK_TOKEN');
    verifyRefirToken(request.params.token, config.token);
    requireJson(request.headers);
    const text = decodeUtf8(request.rawBody);
    const body = parseJsonObject(text);
    return {
      provider: 'refir',
      source: 'refir',
      providerEventType: refirEventType(body),
      dedupeKey: refirDedupeKey(request.rawBody),
      // One configured token is one Refir account; the body names no tenant we could trust.
      tenantId: null,
      entity: { fqdn: null, id: literalAt(body, 'id') ?? null, sequence: null },
      receivedAt: request.receivedAt.toISOString(),
      verification: { method: 'refir-path-token', signed: false, keyId: 'refir' },
      understood: carriesRefirReferral(body),
      payload: body,
      delivery: {
        contentType: request.headers['content-type'] ?? null,
        // The token travels in the path, never in a header: nothing secret is kept.
        headers: keepHeaders(request.headers, ['content-type', 'user-agent']),
        body: text,
      },
    };
  };
}
