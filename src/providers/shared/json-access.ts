/** Narrow, total accessors over untrusted parsed JSON. */
import type { JsonObject, JsonValue } from '../../ledger/json';
import { sha256Hex } from './secrets';

export function objectAt(value: JsonValue | undefined, key: string): JsonObject | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const child = value[key];
  return child !== null && typeof child === 'object' && !Array.isArray(child) ? child : undefined;
}

/** A string, or a finite number written as its decimal string (ids arrive as either). */
export function textAt(value: JsonValue | undefined, key: string): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const child = value[key];
  if (typeof child === 'string' && child !== '') return child;
  if (typeof child === 'number' && Number.isFinite(child)) return String(child);
  if (typeof child === 'boolean') return String(child);
  return undefined;
}

/** JSON with object keys sorted at every level: equal content, equal text. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`).join(',')}}`;
}

export function contentHash(value: JsonValue): string {
  return `sha256:${sha256Hex(canonicalJson(value))}`;
}
