import type { WebhooksConfig } from '../../../config/app-config';
import { decodeUtf8, parseJsonObject } from '../../json-body';
import { rejectNotConfigured } from '../../webhook-rejection';
import type { AcceptDelivery } from '../provider-intake';
import { keepHeaders, requireJson } from '../shared/http-facts';
import { objectAt, textAt } from '../shared/json-access';
import { standardHeadersOf, verifyStandardSignature } from './standard-signature';

/** Any sender using Standard Webhooks, one configured source per path segment. */
export function createStandardWebhooksIntake(config: WebhooksConfig['standard']): AcceptDelivery {
  return (request) => {
    const name = request.params.source ?? '';
    const source = config.sources.get(name);
    if (source === undefined) {
      throw rejectNotConfigured(`STANDARD_WEBHOOK_SOURCES (add ${name || '<source>'}=whsec_…)`);
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
    const body = parseJsonObject(decodeUtf8(request.rawBody));
    const data = objectAt(body, 'data');
    return {
      provider: 'standard',
      source: source.name,
      providerEventType: textAt(body, 'type') ?? 'unknown',
      dedupeKey: `standard:${source.name}:${headers.id}`,
      tenantId: source.name,
      entity: { fqdn: `standard.${source.name}`, id: textAt(data, 'id') ?? null, sequence: null },
      receivedAt: request.receivedAt.toISOString(),
      verification: { method: 'standard-webhooks-v1', signed: true, keyId },
      understood: textAt(body, 'type')?.startsWith('referral.') ?? false,
      payload: body,
      delivery: {
        contentType: request.headers['content-type'] ?? null,
        headers: keepHeaders(request.headers, [
          'content-type',
          'webhook-id',
          'webhook-timestamp',
          'webhook-signature',
          'svix-id',
          'svix-timestamp',
          'svix-signature',
        ]),
        body: request.rawBody.toString('utf8'),
      },
    };
  };
}
