/**
 * Builds stored `WebhookReceived` events for projection tests, from the
 * providers' fixture files or inline payloads, the way intake records them:
 * each with the body its provider would have sent for that payload, since the
 * log keeps the body and reads the payload back from it (schema 3).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, JsonValue, RecordedEvent } from '../../event-store/event-store.port';
import {
  deliveryStreamName,
  uuidV5,
  WEBHOOK_EVENT_SCHEMA,
  webhookEventType,
  type Provider,
  type WebhookReceived,
} from '../../ledger/webhook-received';
import { objectAt, textAt } from '../../ledger/json';
import { growsurfCampaignOf } from '../../providers/growsurf/growsurf-dedupe';
import { storedWebhookData } from '../../providers/stored-webhook';

const FIXTURES = join(__dirname, '..', '..', 'providers');

export function fixture(provider: Provider, name: string): JsonObject {
  return JSON.parse(
    readFileSync(join(FIXTURES, provider, 'fixtures', `${name}.json`), 'utf8'),
  ) as JsonObject;
}

export interface WebhookOverrides {
  readonly tenantId?: string | null;
  readonly understood?: boolean;
  readonly source?: string;
  readonly entity?: WebhookReceived['entity'];
  readonly dedupeKey?: string;
  readonly receivedAt?: string;
  readonly verification?: WebhookReceived['verification'];
}

export function webhook(
  provider: Provider,
  providerEventType: string,
  payload: JsonObject,
  overrides: WebhookOverrides = {},
): WebhookReceived {
  return {
    provider,
    source: overrides.source ?? provider,
    providerEventType,
    dedupeKey: overrides.dedupeKey ?? `${provider}:${JSON.stringify(payload)}`,
    tenantId: overrides.tenantId === undefined ? null : overrides.tenantId,
    entity: overrides.entity ?? { fqdn: null, id: null, sequence: null },
    receivedAt: overrides.receivedAt ?? '2024-07-01T00:00:00.000Z',
    understood: overrides.understood ?? true,
    payload,
    ...asDelivered(
      provider,
      providerEventType,
      overrides.tenantId ?? '',
      payload,
      overrides.verification,
    ),
  };
}

/**
 * The verification and body a provider's delivery of this payload has, as its
 * intake stores them: a Wix JWT (with a stand-in signature: nothing verifies
 * it here), a Talkable legacy form without its key (or a Custom App's JSON when
 * signed), anyone else's JSON.
 */
export function asDelivered(
  provider: Provider,
  providerEventType: string,
  tenantId: string,
  payload: JsonObject,
  verification?: WebhookReceived['verification'],
): Pick<WebhookReceived, 'verification' | 'delivery'> {
  if (provider === 'wix') {
    const part = (value: JsonValue): string =>
      Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const envelope: JsonObject = {
      eventType: textAt(payload, 'eventType') ?? providerEventType,
      instanceId: textAt(payload, 'instanceId') ?? tenantId,
      data: JSON.stringify(payload.data ?? {}),
      ...(payload.identity ? { identity: JSON.stringify(payload.identity) } : {}),
      ...(payload.accountInfo ? { accountInfo: payload.accountInfo } : {}),
    };
    const token = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ data: JSON.stringify(envelope) })}.${'s'.repeat(342)}`;
    return {
      verification: verification ?? { method: 'wix-jwt-rs256', signed: true, keyId: 'test' },
      delivery: { contentType: 'text/plain', headers: {}, body: token },
    };
  }
  const json = { contentType: 'application/json', headers: {}, body: JSON.stringify(payload) };
  if (provider === 'talkable') {
    const method = verification?.method ?? 'talkable-key';
    if (method !== 'talkable-key') {
      return {
        verification: verification ?? { method, signed: true, keyId: 'test' },
        delivery: json,
      };
    }
    const form = [
      `site=${encodeURIComponent(tenantId)}`,
      `type=${encodeURIComponent(providerEventType)}`,
      `payload=${encodeURIComponent(JSON.stringify(payload))}`,
    ].join('&');
    return {
      verification: verification ?? { method, signed: false, keyId: 'test' },
      delivery: { contentType: 'application/x-www-form-urlencoded', headers: {}, body: form },
    };
  }
  return {
    verification: verification ?? { method: 'growsurf-signature', signed: true, keyId: 'test' },
    delivery: json,
  };
}

export function talkable(name: string, overrides: WebhookOverrides = {}): WebhookReceived {
  const form = fixture('talkable', name);
  const payload = objectAt(form, 'payload') ?? {};
  return webhook('talkable', textAt(form, 'type') ?? '', payload, {
    tenantId: textAt(form, 'site'),
    dedupeKey: `talkable:${name}`,
    ...overrides,
  });
}

export function growsurf(name: string, overrides: WebhookOverrides = {}): WebhookReceived {
  const body = fixture('growsurf', name);
  const event = textAt(body, 'event') ?? '';
  const campaign = growsurfCampaignOf(event, body);
  return webhook('growsurf', event, body, {
    tenantId: campaign,
    dedupeKey: `growsurf:${name}`,
    ...overrides,
  });
}

export const WIX_INSTANCE = 'a9f8e7d6-0000-4000-8000-000000000001';

/** A Wix domain event (the fixtures hold the inner event) wrapped as intake stores it. */
export function wixEvent(
  domainEvent: JsonObject,
  overrides: WebhookOverrides = {},
): WebhookReceived {
  const fqdn = textAt(domainEvent, 'entityFqdn');
  const slug = textAt(domainEvent, 'slug');
  const eventType = `${fqdn ?? 'unknown'}_${slug ?? 'unknown'}`;
  return webhook(
    'wix',
    eventType,
    {
      eventType,
      instanceId: WIX_INSTANCE,
      identity: { identityType: 'APP' },
      accountInfo: {},
      data: domainEvent,
    },
    {
      tenantId: WIX_INSTANCE,
      entity: {
        fqdn,
        id: textAt(domainEvent, 'entityId'),
        sequence: textAt(domainEvent, 'entityEventSequence'),
      },
      dedupeKey: `wix:${WIX_INSTANCE}:${textAt(domainEvent, 'id') ?? ''}`,
      ...overrides,
    },
  );
}

export function wix(name: string, overrides: WebhookOverrides = {}): WebhookReceived {
  return wixEvent(fixture('wix', name), overrides);
}

/**
 * The event as the log returns it: deterministic id and stream from the dedupe
 * key. Its body is written afresh from its payload (`asDelivered`), so that a
 * test may alter a payload and the stored event still says the same; a sealed
 * event (schema 2) is kept as it is.
 */
export function recorded(event: WebhookReceived, position: bigint): RecordedEvent {
  const sealed = Array.isArray((event as unknown as JsonObject).subjects);
  return {
    id: uuidV5(event.dedupeKey),
    type: webhookEventType(event.provider, event.providerEventType),
    streamId: deliveryStreamName(event.provider, event.dedupeKey),
    revision: 0n,
    position,
    data: sealed
      ? (event as unknown as JsonObject)
      : storedWebhookData({
          ...event,
          ...asDelivered(
            event.provider,
            event.providerEventType,
            event.tenantId ?? '',
            event.payload,
            event.verification,
          ),
        }),
    metadata: { schema: sealed ? 2 : WEBHOOK_EVENT_SCHEMA },
    created: new Date(event.receivedAt),
  };
}

export function inLogOrder(events: readonly WebhookReceived[], from = 1n): RecordedEvent[] {
  return events.map((event, index) => recorded(event, from + BigInt(index)));
}
