/**
 * Unwraps a verified Wix delivery: claims.data is a JSON string holding the
 * envelope, whose `data` (the domain event) and `identity` are JSON strings
 * again; entity bodies may arrive as strings too (providers.md §1.1, §1.4).
 */
import type { JsonObject, JsonValue } from '../../../event-store/event-store.port';
import { parseJson, parseJsonObject } from '../../json-body';
import { rejectMalformed } from '../../webhook-rejection';

export interface WixEnvelope {
  readonly eventType: string;
  readonly instanceId: string;
  readonly identity: JsonObject | null;
  readonly accountInfo: JsonValue;
  readonly domainEvent: JsonObject;
}

const BODY_FIELDS: readonly [string, string][] = [
  ['createdEvent', 'entity'],
  ['updatedEvent', 'currentEntity'],
  ['deletedEvent', 'deletedEntity'],
  ['actionEvent', 'body'],
];

export function unwrapWixClaims(claims: JsonObject): WixEnvelope {
  if (typeof claims.data !== 'string')
    throw rejectMalformed('the JWT claim "data" must be a JSON string');
  const envelope = parseJsonObject(claims.data, 'envelope (claims.data)');
  const { eventType, instanceId } = envelope;
  if (typeof eventType !== 'string' || eventType === '')
    throw rejectMalformed('the envelope has no eventType');
  if (typeof instanceId !== 'string' || instanceId === '')
    throw rejectMalformed('the envelope has no instanceId');
  const domainEvent = parseNested(envelope.data, 'domain event (envelope.data)');
  if (domainEvent === null) throw rejectMalformed('the envelope has no data');
  return {
    eventType,
    instanceId,
    identity: parseNested(envelope.identity, 'identity'),
    accountInfo: envelope.accountInfo ?? null,
    domainEvent: parseBodies(domainEvent),
  };
}

function parseNested(value: JsonValue | undefined, what: string): JsonObject | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return parseJsonObject(value, what);
  if (typeof value === 'object' && !Array.isArray(value)) return value;
  throw rejectMalformed(`the ${what} must be an object or a JSON string`);
}

function parseBodies(domainEvent: JsonObject): JsonObject {
  const parsed: JsonObject = { ...domainEvent };
  for (const [bodyName, field] of BODY_FIELDS) {
    const body = domainEvent[bodyName];
    if (body === null || typeof body !== 'object' || Array.isArray(body)) continue;
    const value = body[field];
    parsed[bodyName] =
      typeof value === 'string'
        ? { ...body, [field]: parseJson(value, `${bodyName}.${field}`) }
        : body;
  }
  return parsed;
}
