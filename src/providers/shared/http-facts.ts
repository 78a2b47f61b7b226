import { rejectContentType } from '../../ledger/errors';

/** The media type without parameters, lower-cased; null when absent. */
export function mediaTypeOf(headers: Readonly<Record<string, string | undefined>>): string | null {
  const value = headers['content-type'];
  if (value === undefined || value.trim() === '') return null;
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

export function isJsonMediaType(mediaType: string | null): boolean {
  return mediaType === 'application/json' || (mediaType?.endsWith('+json') ?? false);
}

export function requireJson(headers: Readonly<Record<string, string | undefined>>): void {
  const mediaType = mediaTypeOf(headers);
  if (!isJsonMediaType(mediaType)) {
    throw rejectContentType(`expected application/json, got ${mediaType ?? 'no content type'}`);
  }
}

/** Copies the named headers that are present: provenance, never credentials. */
export function keepHeaders(
  headers: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
