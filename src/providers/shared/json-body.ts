/**
 * Defensive decoding of untrusted bodies: strict UTF-8, JSON with a useful
 * error position, bounded nesting, and no keys that could reach a prototype.
 */
import type { JsonObject, JsonValue } from '../../ledger/json';
import { rejectMalformed } from '../../ledger/errors';

export const MAX_JSON_DEPTH = 64;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw rejectMalformed('the body is not valid UTF-8');
  }
}

/** Parses JSON text that must be an object; `what` names it in messages (e.g. "body", "payload"). */
export function parseJsonObject(text: string, what = 'body'): JsonObject {
  const value = parseJson(text, what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw rejectMalformed(`the ${what} must be a JSON object`);
  }
  return value;
}

/**
 * The JSON payload of a stored body, which the intake parsed on arrival: the
 * same parse, with a leading byte-order mark dropped as the intake's decoder
 * dropped it (the stored text keeps the bytes as received).
 */
export function storedJsonPayload(body: string): JsonObject {
  return parseJsonObject(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
}

export function parseJson(text: string, what = 'body'): JsonValue {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw rejectMalformed(`the ${what} is not valid JSON: ${describeJsonError(text, error)}`);
  }
  if (!shapeIsSafe(text)) checkShape(value, what, 0);
  return value as JsonValue;
}

const FORBIDDEN_OR_ESCAPED = /__proto__|constructor|prototype|\\u/;

/**
 * True when the text alone proves what checkShape would find, without walking
 * the parsed value: it cannot nest MAX_JSON_DEPTH deep when it holds fewer
 * `{` and `[` than that (counted in strings too: a bound), and no key can be
 * forbidden when none of those names appears in it, nor any `\u` escape (the
 * only escape that can spell a letter or `_`). Anything else is walked.
 */
function shapeIsSafe(text: string): boolean {
  if (FORBIDDEN_OR_ESCAPED.test(text)) return false;
  let open = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1))
    if (++open >= MAX_JSON_DEPTH) return false;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1))
    if (++open >= MAX_JSON_DEPTH) return false;
  return true;
}

function checkShape(value: unknown, what: string, depth: number): void {
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_JSON_DEPTH) {
    throw rejectMalformed(`the ${what} nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    for (const item of value) checkShape(item, what, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key))
      throw rejectMalformed(`the ${what} contains the forbidden key "${key}"`);
    checkShape((value as Record<string, unknown>)[key], what, depth + 1);
  }
}

/** Turns V8's "at position N" into line and column, with the text around it. */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  const offset = match ? Number(match[1]) : text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const near = text.slice(Math.max(0, offset - 20), offset + 20).replace(/\s+/g, ' ');
  const reason = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/^Unexpected/, 'unexpected');
  return `${reason} at line ${line}, column ${column} (near "${near}")`;
}
