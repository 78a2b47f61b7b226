/**
 * The Wix domain event (docs/providers.md#wix-domain-event): `id`, `entityFqdn`, `slug`,
 * `entityId`, `eventTime`, `entityEventSequence`… plus one of four bodies.
 * The SDK types the entity inside a body as a JSON string while every example
 * shows an object, so both are read and the stored payload holds objects only.
 */
import type { JsonObject, JsonValue } from '../../ledger/json';
import { rejectMalformed } from '../../ledger/errors';
import { nestedObject } from './wix-nested-json';

export type WixBodyKind = 'createdEvent' | 'updatedEvent' | 'deletedEvent' | 'actionEvent';

const ENTITY_FIELD: Readonly<Record<WixBodyKind, string>> = {
  createdEvent: 'entity',
  updatedEvent: 'currentEntity',
  deletedEvent: 'deletedEntity',
  actionEvent: 'body',
};
const BODY_KINDS = Object.keys(ENTITY_FIELD) as WixBodyKind[];

export interface WixEventBody {
  readonly kind: WixBodyKind;
  /** `entity`, `currentEntity`, `deletedEntity` or `body`, parsed; null when absent. */
  readonly entity: JsonObject | null;
}

export interface WixDomainEvent {
  /** The event id: Wix's documented way to spot duplicates. */
  readonly id: string;
  readonly entityFqdn: string | null;
  readonly slug: string | null;
  readonly entityId: string | null;
  /** An int64 as the decimal string Wix sends; compare with BigInt, never as text. */
  readonly entityEventSequence: string | null;
  /** The body present; null when none of the four is (the seed's `cratedEvent` typo). */
  readonly body: WixEventBody | null;
  /** Every field as sent, entity bodies sent as strings replaced by their objects. */
  readonly json: JsonObject;
}

const INT64_MAX = 9223372036854775807n;

export function readWixDomainEvent(event: JsonObject): WixDomainEvent {
  const json: JsonObject = { ...event };
  let body: WixEventBody | null = null;
  for (const kind of BODY_KINDS) {
    const container = nestedObject(event[kind], `domain event's ${kind}`);
    if (container === null) continue;
    const field = ENTITY_FIELD[kind];
    const entity = nestedObject(container[field], `${kind}.${field}`);
    json[kind] = entity === null ? container : { ...container, [field]: entity };
    body ??= { kind, entity };
  }
  return {
    id: requiredId(event.id),
    entityFqdn: optionalText(event, 'entityFqdn'),
    slug: optionalText(event, 'slug'),
    entityId: optionalText(event, 'entityId'),
    entityEventSequence: sequenceOf(event.entityEventSequence),
    body,
    json,
  };
}

function requiredId(value: JsonValue | undefined): string {
  if (typeof value !== 'string' || value === '') {
    throw rejectMalformed('the domain event has no id (a non-empty string, the dedupe key)');
  }
  return value;
}

function optionalText(event: JsonObject, name: 'entityFqdn' | 'slug' | 'entityId'): string | null {
  const value = event[name];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string')
    throw rejectMalformed(`the domain event's ${name} must be a string`);
  return value;
}

function sequenceOf(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !/^\d{1,19}$/.test(value) || BigInt(value) > INT64_MAX) {
    throw rejectMalformed(
      'the domain event\'s entityEventSequence must be a decimal int64 string, e.g. "42"',
    );
  }
  return value;
}
