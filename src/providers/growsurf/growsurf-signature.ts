/**
 * `GrowSurf-Signature: ts=<unix ms>,v=<lowercase hex HMAC-SHA256 of "<ts>.<body>">`
 * (docs.growsurf.com "Securing your webhooks"; docs/providers.md#growsurf-signature).
 */
import { timingSafeEqual } from 'node:crypto';
import type { NamedSecret } from '../../config/app-config';
import type { JsonValue } from '../../ledger/json';
import { rejectBadSignature, WebhookRejection } from '../../ledger/errors';
import { parseBeforeVerifying } from '../shared/parse-before-verifying';
import { hmacSha256 } from '../shared/secrets';

export interface GrowsurfSignatureHeader {
  readonly timestampMs: number;
  /** Every `v=` entry, as 32-byte digests. */
  readonly digests: readonly Buffer[];
}

/** The form GrowSurf sends, read with one match; any other form takes the general reading below. */
const USUAL_HEADER = /^ts=(\d{1,15}),v=([0-9a-f]{64})$/;

export function parseGrowsurfSignatureHeader(header: string | undefined): GrowsurfSignatureHeader {
  if (header === undefined || header.trim() === '') {
    throw rejectBadSignature('the GrowSurf-Signature header is missing');
  }
  const usual = USUAL_HEADER.exec(header);
  if (usual !== null) {
    return { timestampMs: Number(usual[1]), digests: [Buffer.from(usual[2]!, 'hex')] };
  }
  let ts: string | undefined;
  const digests: Buffer[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const name = part.slice(0, Math.max(at, 0)).trim();
    const value = part.slice(at + 1).trim();
    if (name === 'ts') {
      if (ts !== undefined) throw rejectBadSignature('the GrowSurf-Signature header repeats ts');
      ts = value;
    } else if (name === 'v' && /^[0-9a-fA-F]{64}$/.test(value)) {
      digests.push(Buffer.from(value.toLowerCase(), 'hex'));
    }
  }
  const timestampMs = ts !== undefined && /^\d{1,15}$/.test(ts) ? Number(ts) : NaN;
  if (Number.isNaN(timestampMs) || digests.length === 0) {
    throw rejectBadSignature(
      'the GrowSurf-Signature header must read ts=<unix milliseconds>,v=<64 hex digits>',
    );
  }
  return { timestampMs, digests };
}

/**
 * Returns the id of the secret that signed the body; throws 401 otherwise.
 * `secrets` are the candidates, in order (see secretsForTenant). `now` is when the
 * delivery arrived: to re-verify a stored delivery pass its `receivedAt`.
 *
 * The raw bytes are tried first. GrowSurf's own Node example verifies
 * `JSON.stringify(req.body)`, a re-serialisation, so the second try is over
 * `JSON.stringify(parsed)` (parsed here, bounded, unless the caller passes it;
 * skipped for a body that does not parse);
 * it vouches for the same parsed content, so no value can change unnoticed.
 */
export function verifyGrowsurfSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly NamedSecret[],
  now: Date,
  toleranceMs: number,
  parsed?: JsonValue,
): string {
  const { timestampMs, digests } = parseGrowsurfSignatureHeader(header);
  const skewMs = now.getTime() - timestampMs;
  if (Math.abs(skewMs) > toleranceMs) {
    throw rejectBadSignature(
      `the signature timestamp is ${Math.round(Math.abs(skewMs) / 1000)} s ${
        skewMs > 0 ? 'old' : 'in the future'
      }; the accepted window is ${toleranceMs / 1000} s either way`,
    );
  }
  for (const message of signedForms(rawBody, parsed)) {
    let matched: string | undefined;
    for (const { id, secret } of secrets) {
      const expected = hmacSha256(secret, `${timestampMs}.`, message);
      // Digests are 32 bytes by construction (64 hex digits), so the lengths agree.
      const ok = digests.some((digest) => timingSafeEqual(digest, expected));
      if (ok && matched === undefined) matched = id;
    }
    if (matched !== undefined) return matched;
  }
  throw rejectBadSignature('the GrowSurf signature does not match the body');
}

/** The raw bytes first; the re-serialisation is only computed when they did not match. */
function* signedForms(rawBody: Buffer, parsed: JsonValue | undefined): Generator<string | Buffer> {
  yield rawBody;
  const value = parsed ?? parseBeforeVerifying(rawBody);
  if (value instanceof WebhookRejection) return;
  const reserialised = JSON.stringify(value);
  if (reserialised !== rawBody.toString('utf8')) yield reserialised;
}
