/**
 * Legacy webhooks: verify the form's `key` for its `site`, then parse the
 * `payload` JSON, then describe the delivery. The key is the secret itself, so it
 * is cut out of the stored body and never appears in an error message.
 */
import type { NamedSecret } from '../../config/app-config';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { decodeUtf8, parseJsonObject } from '../shared/json-body';
import type { InboundRequest } from '../provider-intake';
import { keepHeaders } from '../shared/http-facts';
import { describeTalkableDelivery } from './talkable-dedupe';
import { parseTalkableForm } from './talkable-form';
import { verifyTalkableKey } from './talkable-key';
import { isTalkableType } from './talkable-types';

export function acceptTalkableLegacy(
  request: InboundRequest,
  keys: readonly NamedSecret[],
): WebhookReceived {
  const { fields, bodyWithoutKey } = parseTalkableForm(decodeUtf8(request.rawBody));
  const keyId = verifyTalkableKey(fields.key, fields.site, keys);
  const payload = parseJsonObject(fields.payload, 'payload');
  const { dedupeKey, entity } = describeTalkableDelivery(fields.site, fields.type, payload);
  return {
    provider: 'talkable',
    source: 'talkable',
    providerEventType: fields.type,
    dedupeKey,
    tenantId: fields.site,
    entity,
    receivedAt: request.receivedAt.toISOString(),
    verification: { method: 'talkable-key', signed: false, keyId },
    understood: isTalkableType(fields.type),
    payload,
    delivery: {
      contentType: request.headers['content-type'] ?? null,
      headers: keepHeaders(request.headers, ['content-type', 'user-agent']),
      body: bodyWithoutKey,
    },
  };
}
