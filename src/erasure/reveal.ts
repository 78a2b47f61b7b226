/**
 * Read models hold pseudonym tokens (`ps_<hex>.email`), never the person's
 * data. An API answer shows the person again while their key is held: each
 * token is replaced by the field it stands for, from the subject's profile in
 * the key store. An erased subject's tokens stay as they are: the stable
 * pseudonym under which totals and leaderboards keep showing them.
 */
import type { JsonValue } from '../event-store/event-store.port';
import { FIELD_TOKEN } from './pseudonyms';

export type ProfileLookup = (pseudonym: string) => Readonly<Record<string, string>> | undefined;

/** Emails are compared and shown as the translations keep them: trimmed, lower case. */
function shown(field: string, value: string): string {
  return field === 'email' ? value.trim().toLowerCase() : value;
}

export function revealText(text: string, lookup: ProfileLookup): string {
  if (!text.includes('ps_')) return text;
  return text.replace(FIELD_TOKEN, (token) => {
    const dot = token.indexOf('.');
    const field = token.slice(dot + 1);
    const value = lookup(token.slice(0, dot))?.[field];
    return value === undefined ? token : shown(field, value);
  });
}

/** A copy of `value` with every token revealed that still can be; one profile lookup per subject. */
export function revealTokens<T extends JsonValue>(value: T, lookup: ProfileLookup): T {
  const cache = new Map<string, Readonly<Record<string, string>> | undefined>();
  const cached: ProfileLookup = (pseudonym) => {
    if (!cache.has(pseudonym)) cache.set(pseudonym, lookup(pseudonym));
    return cache.get(pseudonym);
  };
  const walk = (node: JsonValue): JsonValue => {
    if (typeof node === 'string') return revealText(node, cached);
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(walk);
    const result: Record<string, JsonValue> = {};
    for (const [key, child] of Object.entries(node)) result[revealText(key, cached)] = walk(child);
    return result;
  };
  return walk(value) as T;
}
