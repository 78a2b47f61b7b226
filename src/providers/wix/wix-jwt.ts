/**
 * Verifies a Wix webhook JWT by hand with node:crypto (docs/providers.md#wix-signature): the
 * algorithm is pinned to RS256 before any key is touched, so `none`, HS256 keyed
 * with the public PEM, or PS256 can never be accepted; every configured app key
 * is tried; exp/nbf are checked when present. Reusable on stored deliveries.
 */
import { verify } from 'node:crypto';
import type { WixAppKey } from '../../config/app-config';
import type { JsonObject } from '../../ledger/json';
import { parseJsonObject } from '../shared/json-body';
import { rejectBadSignature, rejectMalformed } from '../../ledger/errors';

export interface WixClockLeeway {
  /** How long after `exp` a token is still accepted. */
  readonly expSeconds: number;
  /** How long before `nbf` a token is already accepted (clock skew). */
  readonly nbfSeconds: number;
}

/**
 * Wix resends a failed delivery for about 47 h (docs/providers.md#wix-retries) and does not
 * say whether a resend carries a freshly minted token. If it reuses the original
 * and `exp` is short, a strict check would turn every late retry into a lost
 * event. A replayed token cannot add anything either: its event id gives it the
 * same dedupe key. So `exp` gets 48 h; `nbf` only ordinary clock skew.
 */
export const WIX_DEFAULT_LEEWAY: WixClockLeeway = { expSeconds: 48 * 3600, nbfSeconds: 60 };

export interface WixJwtClaims {
  /** The message envelope as a JSON string (the SDK refuses anything else). */
  readonly data: string;
  readonly iat: number | null;
  readonly exp: number | null;
  readonly nbf: number | null;
}

export interface VerifiedWixJwt {
  readonly claims: WixJwtClaims;
  /** The id of the configured key that verified the signature. */
  readonly keyId: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function verifyWixJwt(
  token: string,
  keys: readonly WixAppKey[],
  now: Date,
  leeway: WixClockLeeway = WIX_DEFAULT_LEEWAY,
): VerifiedWixJwt {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw rejectBadSignature('the body is not a compact JWT (three base64url parts)');
  }
  const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string];
  checkHeader(encodedHeader);
  const signingInput = Buffer.from(`${encodedHeader}.${encodedClaims}`, 'ascii');
  const signature = Buffer.from(encodedSignature, 'base64url');
  const match = keys.find((key) => verifiesWith(key, signingInput, signature));
  if (match === undefined) {
    throw rejectBadSignature('the JWT signature does not verify with any configured Wix app key');
  }
  // Only a token Wix signed gets this far: its problems are malformed content (400).
  const claims = readClaims(decodePart(encodedClaims, 'JWT claims'));
  checkLifetime(claims, now, leeway);
  return { claims, keyId: match.id };
}

/**
 * The `data` claim of a token that was verified when it arrived (a stored
 * delivery's body): decoded, not verified again, since the stored payload is
 * read back from it (src/providers/stored-webhook.ts). Re-verifying is the
 * audit's job (src/audit/reverify-delivery.ts).
 */
export function readStoredWixJwtData(token: string): string {
  const encodedClaims = token.split('.')[1];
  if (encodedClaims === undefined || !BASE64URL.test(encodedClaims)) {
    throw rejectMalformed('the stored body is not a compact JWT');
  }
  return readClaims(decodePart(encodedClaims, 'JWT claims')).data;
}

function checkHeader(encodedHeader: string): void {
  let header: JsonObject;
  try {
    header = decodePart(encodedHeader, 'JWT header');
  } catch {
    throw rejectBadSignature('the JWT header is not base64url-encoded JSON');
  }
  if (header.alg !== 'RS256') {
    throw rejectBadSignature(`the JWT algorithm must be RS256, got ${describeAlg(header.alg)}`);
  }
  // RFC 7515 §4.1.11: extensions we do not implement must make the token invalid.
  if (header.crit !== undefined) {
    throw rejectBadSignature('the JWT header lists critical extensions ("crit")');
  }
}

/** RS256 is RSASSA-PKCS1-v1_5 with SHA-256: only a plain RSA key may vouch for it. */
function verifiesWith({ key }: WixAppKey, signingInput: Buffer, signature: Buffer): boolean {
  if (key.type !== 'public' || key.asymmetricKeyType !== 'rsa') return false;
  try {
    return verify('RSA-SHA256', signingInput, key, signature);
  } catch {
    return false;
  }
}

function decodePart(part: string, what: string): JsonObject {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(part, 'base64url'));
  } catch {
    throw rejectMalformed(`the ${what} are not valid UTF-8`);
  }
  return parseJsonObject(text, what);
}

function readClaims(claims: JsonObject): WixJwtClaims {
  if (typeof claims.data !== 'string') {
    throw rejectMalformed('the JWT claim "data" must be a JSON string');
  }
  return {
    data: claims.data,
    iat: numericDate(claims, 'iat'),
    exp: numericDate(claims, 'exp'),
    nbf: numericDate(claims, 'nbf'),
  };
}

function numericDate(claims: JsonObject, name: 'iat' | 'exp' | 'nbf'): number | null {
  const value = claims[name];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw rejectMalformed(`the JWT claim "${name}" must be a number of seconds`);
  }
  return value;
}

function checkLifetime(claims: WixJwtClaims, now: Date, leeway: WixClockLeeway): void {
  const seconds = now.getTime() / 1000;
  if (claims.exp !== null && seconds > claims.exp + leeway.expSeconds) {
    throw rejectBadSignature(
      `the JWT expired (exp ${claims.exp}) more than ${leeway.expSeconds} s before it arrived`,
    );
  }
  if (claims.nbf !== null && seconds < claims.nbf - leeway.nbfSeconds) {
    throw rejectBadSignature(
      `the JWT is not valid yet (nbf ${claims.nbf}, more than ${leeway.nbfSeconds} s ahead)`,
    );
  }
}

/** The header is unverified input: quote at most a few characters of it. */
function describeAlg(alg: unknown): string {
  if (typeof alg !== 'string') return 'no algorithm';
  return JSON.stringify(alg.length > 16 ? `${alg.slice(0, 16)}…` : alg);
}
