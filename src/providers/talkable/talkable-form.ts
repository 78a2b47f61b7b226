/**
 * The legacy webhook body: `application/x-www-form-urlencoded` with `key`,
 * `site`, `type` and `payload`. Parsed by hand rather than with URLSearchParams
 * so that `key` can be cut out of the raw text while every other byte stays
 * as Talkable sent it, and so that a broken percent-escape is refused instead
 * of silently kept (Rack, which Talkable's Rails sender pairs with, refuses it too).
 */
import { rejectMalformed } from '../../ledger/errors';

export const TALKABLE_FORM_FIELDS = ['key', 'site', 'type', 'payload'] as const;
export type TalkableFormField = (typeof TALKABLE_FORM_FIELDS)[number];

export interface TalkableForm {
  readonly fields: Readonly<Record<TalkableFormField, string>>;
  /** The raw form text without the `key` field: what we may store. */
  readonly bodyWithoutKey: string;
}

export function parseTalkableForm(text: string): TalkableForm {
  const { values, kept } = readForm(text);
  const missing = TALKABLE_FORM_FIELDS.filter((name) => !values.get(name));
  if (missing.length > 0) {
    throw rejectMalformed(`the form lacks ${missing.map((name) => `"${name}"`).join(', ')}`);
  }
  const field = (name: TalkableFormField): string => values.get(name) ?? '';
  return {
    fields: {
      key: field('key'),
      site: field('site'),
      type: field('type'),
      payload: field('payload'),
    },
    bodyWithoutKey: kept.join('&'),
  };
}

/**
 * The `payload` field of a stored legacy body (the form without its `key`),
 * which the intake parsed on arrival: read back, not checked again.
 */
export function storedFormPayload(bodyWithoutKey: string): string {
  return readForm(bodyWithoutKey).values.get('payload') ?? '';
}

function readForm(text: string): { values: Map<string, string>; kept: string[] } {
  const values = new Map<string, string>();
  const kept: string[] = [];
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const at = segment.indexOf('=');
    const name = decodeFormComponent(at < 0 ? segment : segment.slice(0, at), 'a field name');
    const value = decodeFormComponent(at < 0 ? '' : segment.slice(at + 1), `field "${name}"`);
    if (values.has(name)) throw rejectMalformed(`the form field "${name}" appears more than once`);
    values.set(name, value);
    if (name !== 'key') kept.push(segment);
  }
  return { values, kept };
}

/** `+` means a space in a form; a literal plus arrives as `%2B` (a phone number's `+1…`). */
function decodeFormComponent(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // Never echo the text: it may be the secret key.
    throw rejectMalformed(`the form has a broken percent-escape in ${what}`);
  }
}
