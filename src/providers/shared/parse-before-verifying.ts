import type { JsonObject } from '../../ledger/json';
import { decodeUtf8, parseJsonObject } from './json-body';
import { WebhookRejection } from '../../ledger/errors';

/**
 * Parses a body whose signature has not been checked yet, when the body itself
 * names the tenant whose secret applies. A parse failure is returned, not thrown:
 * the caller verifies the raw bytes first (trying every secret, since no tenant
 * could be read) and throws it only then, so an unverified body is answered 401
 * and a verified but malformed one 400.
 */
export function parseBeforeVerifying(rawBody: Buffer): JsonObject | WebhookRejection {
  const parsed = parseTextBeforeVerifying(rawBody);
  return parsed instanceof WebhookRejection ? parsed : parsed.body;
}

/** The same, keeping the decoded text as well, for a caller that stores it (see `bodyText`). */
export function parseTextBeforeVerifying(
  rawBody: Buffer,
): { readonly text: string; readonly body: JsonObject } | WebhookRejection {
  try {
    const text = decodeUtf8(rawBody);
    return { text, body: parseJsonObject(text) };
  } catch (error) {
    if (error instanceof WebhookRejection) return error;
    throw error;
  }
}

/**
 * The body as stored, `rawBody.toString('utf8')`, from the text already
 * decoded when that is the same string: it is, unless the body starts with a
 * byte-order mark, which the strict decoder drops and the store keeps.
 */
export function bodyText(rawBody: Buffer, decoded: string): string {
  const bom = rawBody[0] === 0xef && rawBody[1] === 0xbb && rawBody[2] === 0xbf;
  return bom ? rawBody.toString('utf8') : decoded;
}
