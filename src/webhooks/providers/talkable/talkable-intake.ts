/**
 * Legacy webhooks: a form with `key`, `site`, `type`, `payload`; the key is
 * the site's webhook security key, compared in constant time and never stored.
 * Custom App deliveries: JSON signed in `x-talkable-signature`.
 */
import type { NamedSecret, WebhooksConfig } from '../../../config/app-config';
import type { JsonObject } from '../../../event-store/event-store.port';
import type { WebhookReceived } from '../../../ledger/webhook-received';
import { decodeUtf8, parseJsonObject } from '../../json-body';
import {
  rejectBadSignature,
  rejectContentType,
  rejectMalformed,
  rejectNotConfigured,
} from '../../webhook-rejection';
import type { AcceptDelivery, InboundRequest } from '../provider-intake';
import { isJsonMediaType, keepHeaders, mediaTypeOf } from '../shared/http-facts';
import { contentHash, textAt } from '../shared/json-access';
import { hmacSha256, safeEqual } from '../shared/secrets';
import { describeTalkable, isTalkableType } from './talkable-delivery';

const FORM = 'application/x-www-form-urlencoded';

export function createTalkableIntake(config: WebhooksConfig['talkable']): AcceptDelivery {
  return (request) => {
    if (config.keys.length === 0) {
      throw rejectNotConfigured('TALKABLE_WEBHOOK_KEY (or TALKABLE_WEBHOOK_KEYS)');
    }
    const mediaType = mediaTypeOf(request.headers);
    if (mediaType === FORM) return acceptLegacy(request, config.keys);
    if (isJsonMediaType(mediaType) && request.headers['x-talkable-signature'] !== undefined) {
      return acceptCustomApp(request, config.keys);
    }
    throw rejectContentType(
      `expected ${FORM} (or signed JSON from a Custom App), got ${mediaType ?? 'none'}`,
    );
  };
}

function acceptLegacy(request: InboundRequest, keys: readonly NamedSecret[]): WebhookReceived {
  const form = new URLSearchParams(decodeUtf8(request.rawBody));
  const field = (name: string): string | undefined => {
    const values = form.getAll(name);
    if (values.length > 1) throw rejectMalformed(`the form field "${name}" appears more than once`);
    return values[0];
  };
  const presented = field('key');
  if (presented === undefined || presented === '')
    throw rejectBadSignature('the form field "key" is missing');
  const site = field('site') ?? '';
  const candidates = keys.filter(({ id }) => id === site || id === '*');
  const keyId = candidates.reduce<string | undefined>(
    (found, { id, secret }) => (safeEqual(presented, secret) && found === undefined ? id : found),
    undefined,
  );
  if (keyId === undefined)
    throw rejectBadSignature(`the key does not match the one configured for site "${site}"`);
  const type = field('type');
  if (type === undefined || type === '') throw rejectMalformed('the form field "type" is missing');
  const rawPayload = field('payload');
  if (rawPayload === undefined) throw rejectMalformed('the form field "payload" is missing');
  const payload = parseJsonObject(rawPayload, 'payload');
  form.delete('key');
  return received(request, {
    site: site === '' ? null : site,
    type,
    payload,
    keyId,
    method: 'talkable-key',
    body: form.toString(),
  });
}

function acceptCustomApp(request: InboundRequest, keys: readonly NamedSecret[]): WebhookReceived {
  const signature = request.headers['x-talkable-signature'] ?? '';
  // base64 of the *hex* digest, as Talkable's own Ruby sample computes it (providers.md §2.6).
  const keyId = keys.reduce<string | undefined>((found, { id, secret }) => {
    const expected = Buffer.from(hmacSha256(secret, request.rawBody).toString('hex')).toString(
      'base64',
    );
    return safeEqual(signature, expected) && found === undefined ? id : found;
  }, undefined);
  if (keyId === undefined)
    throw rejectBadSignature('the x-talkable-signature does not match the body');
  const payload = parseJsonObject(decodeUtf8(request.rawBody));
  const type =
    textAt(payload, 'action') ??
    textAt(payload, 'type') ??
    textAt(payload, 'event') ??
    'custom_app';
  const site =
    textAt(payload, 'site_id') ?? textAt(payload, 'site') ?? (keyId === '*' ? null : keyId);
  return received(request, {
    site,
    type,
    payload,
    keyId,
    method: 'talkable-signature',
    body: request.rawBody.toString('utf8'),
  });
}

interface Parsed {
  site: string | null;
  type: string;
  payload: JsonObject;
  keyId: string;
  method: 'talkable-key' | 'talkable-signature';
  body: string;
}

function received(request: InboundRequest, parsed: Parsed): WebhookReceived {
  const legacy = parsed.method === 'talkable-key';
  const facts = legacy
    ? describeTalkable(parsed.site ?? '-', parsed.type, parsed.payload)
    : {
        entity: { fqdn: 'talkable.custom_app', id: null, sequence: null },
        dedupeKey: `talkable:${parsed.site ?? '-'}:custom:${parsed.type}:${contentHash(parsed.payload)}`,
      };
  return {
    provider: 'talkable',
    source: 'talkable',
    providerEventType: parsed.type,
    dedupeKey: facts.dedupeKey,
    tenantId: parsed.site,
    entity: facts.entity,
    receivedAt: request.receivedAt.toISOString(),
    verification: { method: parsed.method, signed: !legacy, keyId: parsed.keyId },
    understood: legacy && isTalkableType(parsed.type),
    payload: parsed.payload,
    delivery: {
      contentType: request.headers['content-type'] ?? null,
      headers: keepHeaders(request.headers, ['content-type', 'user-agent', 'x-talkable-signature']),
      body: parsed.body,
    },
  };
}
