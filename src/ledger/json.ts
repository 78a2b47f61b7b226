/** Total accessors over untrusted JSON from the log: a wrong shape reads as absent. */

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function objectAt(value: JsonValue | undefined, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const child = value[key];
  return isObject(child) ? child : undefined;
}

export function arrayAt(value: JsonValue | undefined, key: string): readonly JsonValue[] {
  if (!isObject(value)) return [];
  const child = value[key];
  return Array.isArray(child) ? child : [];
}

export function objectsAt(value: JsonValue | undefined, key: string): readonly JsonObject[] {
  return arrayAt(value, key).filter(isObject);
}

/** A non-empty string, or a finite number as its decimal string (ids arrive as either). */
export function textAt(value: JsonValue | undefined, key: string): string | null {
  if (!isObject(value)) return null;
  const child = value[key];
  if (typeof child === 'string' && child.trim() !== '') return child;
  if (typeof child === 'number' && Number.isFinite(child)) return String(child);
  return null;
}

/**
 * A field exactly as the sender wrote it, for dedupe keys and routing: any
 * non-empty string (spaces kept), a finite number or a boolean as its text.
 * Dedupe keys are durable stream names, so this never trims or normalises:
 * a reading rule may change, a key may not.
 */
export function literalAt(value: JsonValue | undefined, key: string): string | null {
  if (!isObject(value)) return null;
  const child = value[key];
  if (typeof child === 'string' && child !== '') return child;
  if (typeof child === 'number' && Number.isFinite(child)) return String(child);
  if (typeof child === 'boolean') return String(child);
  return null;
}

/** A number, or a string holding one (GrowSurf sends `rank` as "9" and as 9). */
export function numberAt(value: JsonValue | undefined, key: string): number | null {
  if (!isObject(value)) return null;
  const child = value[key];
  if (typeof child === 'number' && Number.isFinite(child)) return child;
  if (typeof child === 'string' && /^-?\d+(\.\d+)?$/.test(child.trim())) return Number(child);
  return null;
}

export function booleanAt(value: JsonValue | undefined, key: string): boolean | null {
  if (!isObject(value)) return null;
  const child = value[key];
  return typeof child === 'boolean' ? child : null;
}

/** An amount as sent: a decimal string or a number, never parsed here. */
export function amountAt(value: JsonValue | undefined, key: string): string | number | null {
  if (!isObject(value)) return null;
  const child = value[key];
  if (typeof child === 'number' && Number.isFinite(child)) return child;
  if (typeof child === 'string' && child.trim() !== '') return child;
  return null;
}

export function emailAt(value: JsonValue | undefined, key: string): string | null {
  return textAt(value, key)?.trim().toLowerCase() ?? null;
}

export function fullName(value: JsonValue | undefined, first: string, last: string): string | null {
  const parts = [textAt(value, first), textAt(value, last)].filter((p): p is string => p !== null);
  return parts.length === 0 ? null : parts.join(' ');
}
