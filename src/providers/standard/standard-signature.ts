/**
 * Standard Webhooks v1 (spec v1.0.0, docs/providers.md#standard-signature): HMAC-SHA256 over
 * `{id}.{timestamp}.{raw body}` keyed with the base64-decoded `whsec_` secret.
 * The signature header lists `version,base64` entries separated by spaces, so a
 * sender rotating its secret signs with both; versions we do not know (`v1a`,
 * ed25519) are ignored, as the spec asks of consumers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { NamedSecret } from '../../config/app-config';
import { rejectBadSignature } from '../../ledger/errors';
import { hmacSha256 } from '../shared/secrets';

export interface StandardHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signatures: string;
}

/** The `webhook-*` headers, or Svix's `svix-*` names for the same three. */
export function standardHeadersOf(
  headers: Readonly<Record<string, string | undefined>>,
): StandardHeaders {
  const pick = (name: string): string | undefined =>
    headers[`webhook-${name}`] ?? headers[`svix-${name}`];
  const id = pick('id');
  const timestamp = pick('timestamp');
  const signatures = pick('signature');
  if (id === undefined || timestamp === undefined || signatures === undefined) {
    throw rejectBadSignature(
      'webhook-id, webhook-timestamp and webhook-signature (or svix-*) are all required',
    );
  }
  return { id, timestamp, signatures };
}

/** Returns the id of the secret that matched (a name, never the secret); throws 401 otherwise. */
export function verifyStandardSignature(
  rawBody: Buffer,
  headers: StandardHeaders,
  secrets: readonly NamedSecret[],
  now: Date,
  toleranceSeconds: number,
): string {
  checkTimestamp(headers.timestamp, now, toleranceSeconds);
  const presented = headers.signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice('v1,'.length), 'base64'));
  for (const { id, secret } of secrets) {
    const expected = hmacSha256(keyOf(secret), `${headers.id}.${headers.timestamp}.`, rawBody);
    if (presented.some((signature) => sameBytes(signature, expected))) return id;
  }
  throw rejectBadSignature('no v1 entry of webhook-signature matches the body');
}

/** The spec's replay protection: the attempt's time, in either direction. */
function checkTimestamp(timestamp: string, now: Date, toleranceSeconds: number): void {
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw rejectBadSignature('webhook-timestamp must be whole Unix seconds');
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) {
    throw rejectBadSignature(
      `webhook-timestamp is more than ${toleranceSeconds} s away from the time it arrived`,
    );
  }
}

function keyOf(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret,
    'base64',
  );
}

/** An HMAC's length is public; only its bytes are compared in constant time. */
function sameBytes(presented: Buffer, expected: Buffer): boolean {
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
