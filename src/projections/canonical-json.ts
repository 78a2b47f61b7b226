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
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    if (child !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(child)}`);
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
