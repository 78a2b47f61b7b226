/**
 * Verifies a Wix webhook JWT by hand with node:crypto: the algorithm is pinned
 * to RS256 before any key is touched (no `alg` confusion), every configured
 * app key is tried, and exp/nbf are checked when present.
 */
import { verify } from 'node:crypto';
import type { WixAppKey } from '../../../config/app-config';
import type { JsonObject } from '../../../event-store/event-store.port';
import { parseJsonObject } from '../../json-body';
import { rejectBadSignature } from '../../webhook-rejection';

/**
 * Leeway for exp/nbf. Whether Wix re-mints the token on each of its resends
 * over ~47 h is not documented (providers.md §1.5): a late retry must not be
 * refused, so the leeway is generous; the signature is what proves origin.
 */
export const WIX_CLOCK_LEEWAY_SECONDS = 48 * 3600;

export interface VerifiedWixJwt {
  readonly claims: JsonObject;
  readonly keyId: string;
}

export function verifyWixJwt(token: string, keys: readonly WixAppKey[], now: Date): VerifiedWixJwt {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw rejectBadSignature('the body is not a JWT (three base64url parts)');
  }
  const [encodedHeader, encodedClaims, encodedSignature] = parts as [string, string, string];
  const header = decodePart(encodedHeader, 'JWT header');
  if (header.alg !== 'RS256') {
    throw rejectBadSignature(
      `the JWT algorithm must be RS256, got ${JSON.stringify(header.alg ?? null)}`,
    );
  }
  const signingInput = Buffer.from(`${encodedHeader}.${encodedClaims}`);
  const signature = Buffer.from(encodedSignature, 'base64url');
  const match = keys.find(({ key }) => verify('RSA-SHA256', signingInput, key, signature));
  if (match === undefined)
    throw rejectBadSignature('the JWT signature does not verify with the Wix app key');
  const claims = decodePart(encodedClaims, 'JWT claims');
  const seconds = now.getTime() / 1000;
  if (typeof claims.exp === 'number' && seconds > claims.exp + WIX_CLOCK_LEEWAY_SECONDS) {
    throw rejectBadSignature('the JWT has expired');
  }
  if (typeof claims.nbf === 'number' && seconds < claims.nbf - WIX_CLOCK_LEEWAY_SECONDS) {
    throw rejectBadSignature('the JWT is not valid yet');
  }
  return { claims, keyId: match.id };
}

function decodePart(part: string, what: string): JsonObject {
  try {
    return parseJsonObject(Buffer.from(part, 'base64url').toString('utf8'), what);
  } catch {
    throw rejectBadSignature(`the ${what} is not base64url JSON`);
  }
}
