/**
 * Builds stored `WebhookReceived` events for projection tests, from the
 * providers' fixture files or inline payloads, the way intake records them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, RecordedEvent } from '../../event-store/event-store.port';
import {
  deliveryStreamName,
  uuidV5,
  webhookEventType,
  type Provider,
  type WebhookReceived,
} from '../../ledger/webhook-received';
import { objectAt, textAt } from '../../ledger/json';
import { growsurfCampaignOf } from '../../providers/growsurf/growsurf-dedupe';

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
    verification: { method: 'growsurf-signature', signed: true, keyId: 'test' },
    understood: overrides.understood ?? true,
    payload,
    delivery: { contentType: 'application/json', headers: {}, body: '' },
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

/** The event as the log returns it: deterministic id and stream from the dedupe key. */
export function recorded(event: WebhookReceived, position: bigint): RecordedEvent {
  return {
    id: uuidV5(event.dedupeKey),
    type: webhookEventType(event.provider, event.providerEventType),
    streamId: deliveryStreamName(event.provider, event.dedupeKey),
    revision: 0n,
    position,
    data: event as unknown as JsonObject,
    metadata: { schema: 1 },
    created: new Date(event.receivedAt),
  };
}

export function inLogOrder(events: readonly WebhookReceived[], from = 1n): RecordedEvent[] {
  return events.map((event, index) => recorded(event, from + BigInt(index)));
}
