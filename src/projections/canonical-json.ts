/**
 * Stable JSON for stored documents: object keys sorted at every level, so a
 * document rebuilt from the log is byte-identical to the live one however its
 * fields were assembled.
 */
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
  if (inOrder(value)) return JSON.stringify(value);
  const copy = sortedCopy(value);
  return copy === undefined ? sortedJson(value) : JSON.stringify(copy);
}

/** Whether every object inside `value` has its keys in sorted order. */
function inOrder(value: CanonicalValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (isArray(value)) return value.every(inOrder);
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && previous > key) return false;
    previous = key;
    const child = value[key];
    if (child !== undefined && !inOrder(child)) return false;
  }
  return true;
}

/**
 * The same value with every object's keys inserted in sorted order, for the
 * native serializer; undefined when an object has an integer-like key, which
 * JavaScript enumerates in numeric order whatever the insertion order.
 */
function sortedCopy(value: CanonicalValue): CanonicalValue | undefined {
  if (value === null || typeof value !== 'object') return value;
  if (isArray(value)) {
    const items: CanonicalValue[] = [];
    for (const item of value) {
      const copy = sortedCopy(item);
      if (copy === undefined) return undefined;
      items.push(copy);
    }
    return items;
  }
  // No prototype: a "__proto__" member (JSON.parse makes one an own property) stays a member.
  const copy = Object.create(null) as { [key: string]: CanonicalValue };
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    if (child === undefined) continue;
    if (INTEGER_LIKE.test(key)) return undefined;
    const sorted = sortedCopy(child);
    if (sorted === undefined) return undefined;
    copy[key] = sorted;
  }
  return copy;
}

const INTEGER_LIKE = /^(0|[1-9][0-9]*)$/;

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
  if (isArray(a) || isArray(b)) {
    return (
      isArray(a) &&
      isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => canonicalEqual(item, b[i]))
    );
  }
  const keysOf = (value: { readonly [key: string]: CanonicalValue | undefined }) =>
    Object.keys(value).filter((key) => value[key] !== undefined);
  const keys = keysOf(a);
  return keys.length === keysOf(b).length && keys.every((key) => canonicalEqual(a[key], b[key]));
}
