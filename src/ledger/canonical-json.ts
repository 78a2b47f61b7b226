/**
 * Stable JSON for stored documents: object keys sorted at every level, so a
 * document rebuilt from the log is byte-identical to the live one however its
 * fields were assembled.
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from './json';

export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue | undefined };

export function canonicalJson(value: CanonicalValue): string {
  // Documents are mostly assembled with their keys in order already: then the
  // native serializer gives the same text (it also drops undefined members).
  const ordered = inOrder(value);
  return ordered === undefined ? sortedJson(value) : JSON.stringify(ordered);
}

type Members = { [key: string]: CanonicalValue };

/**
 * `value` itself when every object inside it enumerates its keys in sorted
 * order, else a copy that does, made in one walk; undefined when no copy can:
 * an object with an integer-like key out of place (JavaScript enumerates those
 * first, in numeric order, whatever the insertion order).
 */
function inOrder(value: CanonicalValue): CanonicalValue | undefined {
  if (value === null || typeof value !== 'object') return value;
  if (isArray(value)) {
    let copy: CanonicalValue[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item = value[i] as CanonicalValue;
      const ordered = inOrder(item);
      if (ordered === undefined) return undefined;
      if (copy === undefined && ordered !== item) copy = value.slice(0, i);
      copy?.push(ordered);
    }
    return copy ?? value;
  }
  const keys = Object.keys(value);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i += 1) {
    sorted = (keys[i - 1] as string) < (keys[i] as string);
  }
  let copy: Members | undefined;
  if (!sorted) {
    if (keys.some(cannotBeCopied)) return undefined;
    keys.sort();
    copy = {};
  }
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    const child = value[key];
    if (child === undefined) continue;
    const ordered = inOrder(child);
    if (ordered === undefined) return undefined;
    if (copy === undefined && ordered !== child) {
      if (keys.some(cannotBeCopied)) return undefined;
      copy = membersBefore(value, keys, i);
    }
    if (copy !== undefined) copy[key] = ordered;
  }
  return copy ?? value;
}

/** A copy of the members before keys[end], in the order of `keys`. */
function membersBefore(
  value: { readonly [key: string]: CanonicalValue | undefined },
  keys: readonly string[],
  end: number,
): Members {
  const copy: Members = {};
  for (let i = 0; i < end; i += 1) {
    const key = keys[i] as string;
    const child = value[key];
    if (child !== undefined) copy[key] = child;
  }
  return copy;
}

/**
 * Keys a plain-object copy would not keep in insertion order: integer-like
 * ones (JavaScript enumerates them first, in numeric order) and "__proto__"
 * (JSON.parse makes it an own member; assigning it sets the prototype instead).
 */
function cannotBeCopied(key: string): boolean {
  return key === '__proto__' || isIntegerLike(key);
}

function isIntegerLike(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(0|[1-9][0-9]*)$/.test(key);
}

/** Builds the text member by member: objects with integer-like keys are never enumerated in string order. */
function sortedJson(value: CanonicalValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    if (child !== undefined) parts.push(`${JSON.stringify(key)}:${sortedJson(child)}`);
  }
  return `{${parts.join(',')}}`;
}

function isArray(value: CanonicalValue): value is readonly CanonicalValue[] {
  return Array.isArray(value);
}

/** Whether two values have the same canonical JSON, without building it (absent = undefined). */
export function canonicalEqual(
  a: CanonicalValue | undefined,
  b: CanonicalValue | undefined,
): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  // Plain loops, no filtered copies or closures: the fold compares every document it evolves.
  if (isArray(a) || isArray(b)) {
    if (!isArray(a) || !isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!canonicalEqual(a[i], b[i])) return false;
    return true;
  }
  let defined = 0;
  for (const key of Object.keys(a)) {
    const value = a[key];
    if (value === undefined) continue;
    defined += 1;
    if (!canonicalEqual(value, b[key])) return false;
  }
  for (const key of Object.keys(b)) if (b[key] !== undefined) defined -= 1;
  return defined === 0;
}

/** A content address of a JSON value: equal content, equal hash, whatever the key order. */
export function contentHash(value: JsonValue): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`;
}
