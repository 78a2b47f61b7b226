/**
 * Standard Webhooks v1 (spec v1.0.0): HMAC-SHA256 over `id.timestamp.body`
 * with the base64-decoded `whsec_` secret; the header lists `v1,<base64>`
 * signatures separated by spaces, so secrets can rotate without downtime.
 */
import type { NamedSecret } from '../../../config/app-config';
import { rejectBadSignature } from '../../webhook-rejection';
import { hmacSha256, safeEqual } from '../shared/secrets';

export interface StandardHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signatures: string;
}

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
      'webhook-id, webhook-timestamp and webhook-signature are all required',
    );
  }
  return { id, timestamp, signatures };
}

/** Returns the id of the secret that matched; throws 401 otherwise. */
export function verifyStandardSignature(
  rawBody: Buffer,
  headers: StandardHeaders,
  secrets: readonly NamedSecret[],
  now: Date,
  toleranceSeconds: number,
): string {
  if (!/^\d{1,12}$/.test(headers.timestamp))
    throw rejectBadSignature('webhook-timestamp must be Unix seconds');
  if (Math.abs(now.getTime() / 1000 - Number(headers.timestamp)) > toleranceSeconds) {
    throw rejectBadSignature(
      `webhook-timestamp is outside the accepted window of ${toleranceSeconds} s`,
    );
  }
  // Versions other than v1 are ignored, as the spec asks of consumers.
  const presented = headers.signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => entry.slice(3));
  for (const { id, secret } of secrets) {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = hmacSha256(key, `${headers.id}.${headers.timestamp}.`, rawBody).toString(
      'base64',
    );
    if (presented.some((signature) => safeEqual(signature, expected))) return id;
  }
  throw rejectBadSignature('no webhook-signature matches the body');
}
