/**
 * Custom App deliveries: `x-talkable-signature` = Base64(hex(HMAC-SHA256(security
 * key, JSON))). Talkable's Ruby sample is `Base64.strict_encode64(OpenSSL::HMAC.hexdigest(…))`,
 * so the header is base64 of the 64-character hex text (88 characters), not of the
 * 32 digest bytes (docs/providers.md#talkable-custom-app-signature).
 */
import { timingSafeEqual } from 'node:crypto';
import type { NamedSecret } from '../../config/app-config';
import type { JsonValue } from '../../ledger/json';
import { rejectBadSignature } from '../../ledger/errors';
import { hmacSha256 } from '../shared/secrets';

export function talkableSignatureOf(secret: string, message: string | Buffer): string {
  return Buffer.from(hmacSha256(secret, message).toString('hex'), 'utf8').toString('base64');
}

/**
 * Returns the id of the key that signed the body; throws 401 otherwise.
 *
 * The raw bytes are tried first. Talkable documents the signed input only as
 * "a JSON string of the payload", not as the request bytes, so a sender that
 * signs a compact serialisation and sends it differently formatted would fail
 * the raw check; the second try is over `JSON.stringify(parsed)`. It vouches for
 * the same parsed content (any change to a value breaks it), which is all we
 * record as `payload`; the stored body stays the raw text. A body that does not
 * parse (`parsed` undefined) is checked on its raw bytes only.
 */
export function verifyTalkableSignature(
  rawBody: Buffer,
  parsed: JsonValue | undefined,
  header: string,
  candidates: readonly NamedSecret[],
): string {
  const presented = Buffer.from(header.trim(), 'utf8');
  const messages: (string | Buffer)[] = [rawBody];
  const reserialised = parsed === undefined ? undefined : JSON.stringify(parsed);
  if (reserialised !== undefined && reserialised !== rawBody.toString('utf8')) {
    messages.push(reserialised);
  }
  for (const message of messages) {
    let matched: string | undefined;
    for (const { id, secret } of candidates) {
      if (sameBytes(presented, talkableSignatureOf(secret, message)) && matched === undefined) {
        matched = id;
      }
    }
    if (matched !== undefined) return matched;
  }
  throw rejectBadSignature('the x-talkable-signature does not match the body');
}

/** timingSafeEqual throws on different lengths: a short or long header is simply wrong. */
function sameBytes(presented: Buffer, expected: string): boolean {
  const wanted = Buffer.from(expected, 'utf8');
  return presented.length === wanted.length && timingSafeEqual(presented, wanted);
}
