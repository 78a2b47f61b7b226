/**
 * Custom App deliveries: JSON signed in `x-talkable-signature`
 * (docs/providers.md#talkable-custom-app).
 * Payloads are merchant-defined Liquid templates, so nothing downstream can read
 * them yet: they are recorded verified but `understood: false`, with an event type
 * of their own (`custom_app.<action>`) that can never pass for a legacy type.
 */
import type { NamedSecret } from '../../config/app-config';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { WebhookRejection } from '../../ledger/errors';
import type { InboundRequest } from '../provider-intake';
import { keepHeaders } from '../shared/http-facts';
import { literalAt } from '../../ledger/json';
import { contentHash } from '../../ledger/canonical-json';
import { parseBeforeVerifying } from '../shared/parse-before-verifying';
import { secretsForTenant } from '../shared/secret-selection';
import { verifyTalkableSignature } from './talkable-signature';

export const TALKABLE_SIGNATURE_HEADER = 'x-talkable-signature';

export function acceptTalkableCustomApp(
  request: InboundRequest,
  keys: readonly NamedSecret[],
  signature: string,
): WebhookReceived {
  const body = parseBeforeVerifying(request.rawBody);
  // The body may name its site, whose key then applies; nothing else in it is used
  // until the signature matches. With no site named, every key is tried.
  const namedSite =
    body instanceof WebhookRejection
      ? null
      : (literalAt(body, 'site_id') ?? literalAt(body, 'site') ?? null);
  const keyId = verifyTalkableSignature(
    request.rawBody,
    body instanceof WebhookRejection ? undefined : body,
    signature,
    secretsForTenant(keys, namedSite),
  );
  if (body instanceof WebhookRejection) throw body;
  const payload = body;
  const site = namedSite ?? (keyId === '*' ? null : keyId);
  const action =
    literalAt(payload, 'action') ??
    literalAt(payload, 'type') ??
    literalAt(payload, 'event') ??
    null;
  const eventType = action === null ? 'custom_app' : `custom_app.${action}`;
  return {
    provider: 'talkable',
    source: 'talkable',
    providerEventType: eventType,
    // No natural key is knowable in a merchant-defined payload.
    dedupeKey: `talkable:${site ?? '-'}:${eventType}:${contentHash(payload)}`,
    tenantId: site,
    entity: { fqdn: 'talkable.custom_app', id: null, sequence: null },
    receivedAt: request.receivedAt.toISOString(),
    verification: { method: 'talkable-signature', signed: true, keyId },
    understood: false,
    payload,
    delivery: {
      contentType: request.headers['content-type'] ?? null,
      headers: keepHeaders(request.headers, [
        'content-type',
        'user-agent',
        TALKABLE_SIGNATURE_HEADER,
      ]),
      body: request.rawBody.toString('utf8'),
    },
  };
}
