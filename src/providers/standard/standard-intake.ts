/**
 * `POST /webhooks/standard/:source`: any sender using Standard Webhooks, one
 * configured source (name + `whsec_` secrets) per path segment. An unknown
 * source answers 503, so a sender's retries succeed once it is configured.
 */
import type { WebhooksConfig } from '../../config/app-config';
import { decodeUtf8, parseJsonObject } from '../shared/json-body';
import { rejectMalformed, rejectNotConfigured } from '../../ledger/errors';
import type { AcceptDelivery } from '../provider-intake';
import { keepHeaders, requireJson } from '../shared/http-facts';
import { literalAt, objectAt } from '../../ledger/json';
import { standardDedupeKey } from './standard-dedupe';
import { isStandardReferral, standardEventType } from './standard-referral';
import { standardHeadersOf, verifyStandardSignature } from './standard-signature';

/** Signatures are not secrets: keeping them lets a stored delivery be re-verified. */
const KEPT_HEADERS = [
  'content-type',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
];

export function createStandardWebhooksIntake(config: WebhooksConfig['standard']): AcceptDelivery {
  return (request) => {
    const name = request.params.source ?? '';
    const source = config.sources.get(name);
    if (source === undefined) {
      // The name comes from the path and is never repeated: a sender may have
      // put a secret there, and no shape tells a name from a secret.
      throw rejectNotConfigured(
        'STANDARD_WEBHOOK_SOURCES (add <source>=whsec_…, <source> being the last segment of this URL)',
      );
    }
    requireJson(request.headers);
    const headers = standardHeadersOf(request.headers);
    const keyId = verifyStandardSignature(
      request.rawBody,
      headers,
      source.secrets,
      request.receivedAt,
      config.toleranceSeconds,
    );
    if (!/^[\x21-\x7e]{1,256}$/.test(headers.id)) {
      throw rejectMalformed('webhook-id must be 1 to 256 printable characters without spaces');
    }
    const text = decodeUtf8(request.rawBody);
    const body = parseJsonObject(text);
    const eventType = standardEventType(body.type);
    return {
      provider: 'standard',
      source: source.name,
      providerEventType: eventType,
      dedupeKey: standardDedupeKey(source.name, headers.id),
      tenantId: source.name,
      entity: { fqdn: null, id: literalAt(objectAt(body, 'data'), 'id') ?? null, sequence: null },
      receivedAt: request.receivedAt.toISOString(),
      verification: { method: 'standard-webhooks-v1', signed: true, keyId },
      understood: isStandardReferral(eventType),
      payload: body,
      delivery: {
        contentType: request.headers['content-type'] ?? null,
        headers: keepHeaders(request.headers, KEPT_HEADERS),
        body: text,
      },
    };
  };
}
