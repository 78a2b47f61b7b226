/**
 * `GrowSurf-Signature: ts=<unix ms>,v=<hex HMAC-SHA256 of "ts.body">`
 * (docs.growsurf.com, "Securing your webhooks"). Verified on the raw bytes.
 */
import type { NamedSecret } from '../../../config/app-config';
import { rejectBadSignature } from '../../webhook-rejection';
import { hmacSha256, safeEqual } from '../shared/secrets';

export interface GrowsurfSignature {
  readonly timestampMs: number;
  readonly signature: string;
}

export function parseGrowsurfSignature(header: string | undefined): GrowsurfSignature {
  if (header === undefined || header.trim() === '') {
    throw rejectBadSignature('the GrowSurf-Signature header is missing');
  }
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const ts = parts.get('ts');
  const signature = parts.get('v');
  if (ts === undefined || !/^\d{1,16}$/.test(ts) || signature === undefined || signature === '') {
    throw rejectBadSignature(
      'the GrowSurf-Signature header must read ts=<milliseconds>,v=<signature>',
    );
  }
  return { timestampMs: Number(ts), signature: signature.toLowerCase() };
}

/** Returns the id of the secret that signed the body; throws 401 otherwise. */
export function verifyGrowsurfSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly NamedSecret[],
  now: Date,
  toleranceMs: number,
): string {
  const { timestampMs, signature } = parseGrowsurfSignature(header);
  if (Math.abs(now.getTime() - timestampMs) > toleranceMs) {
    throw rejectBadSignature(
      `the signature timestamp is outside the accepted window of ${toleranceMs / 1000} s`,
    );
  }
  let matched: string | undefined;
  for (const { id, secret } of secrets) {
    const expected = hmacSha256(secret, `${timestampMs}.`, rawBody).toString('hex');
    if (safeEqual(signature, expected) && matched === undefined) matched = id;
  }
  if (matched === undefined)
    throw rejectBadSignature('the GrowSurf signature does not match the body');
  return matched;
}
