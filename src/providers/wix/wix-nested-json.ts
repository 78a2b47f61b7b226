import type { JsonObject, JsonValue } from '../../ledger/json';
import { parseJsonObject } from '../shared/json-body';
import { rejectMalformed } from '../../ledger/errors';

/**
 * Wix sends its inner layers (envelope data, identity, entity bodies) as JSON
 * strings (docs/providers.md#wix-json-in-strings). An object is taken as it is: the signature
 * already vouches for it, and a reader tolerant of either form costs nothing.
 * `what` names the layer in the 400 message.
 */
export function nestedObject(value: JsonValue | undefined, what: string): JsonObject | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return parseJsonObject(value, what);
  if (typeof value === 'object' && !Array.isArray(value)) return value;
  throw rejectMalformed(`the ${what} must be a JSON object or a string holding one`);
}
