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
  try {
    return parseJsonObject(decodeUtf8(rawBody));
  } catch (error) {
    if (error instanceof WebhookRejection) return error;
    throw error;
  }
}
