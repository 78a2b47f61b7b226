/**
 * A Wix webhook as Wix sends it: an RS256 JWT whose `data`
 * claim is a JSON string holding the envelope, whose `data` (the domain event)
 * and `identity` are JSON strings again. Signed with node:crypto, no JWT library.
 */
import { createSign, type KeyObject } from 'node:crypto';

export interface WixSigningOptions {
  readonly instanceId: string;
  readonly eventType: string;
  readonly privateKey: KeyObject;
  /** An object is serialised; a string is sent verbatim (for malformed-JSON tests); null omits it. */
  readonly identity?: Record<string, unknown> | string | null;
  readonly accountInfo?: Record<string, unknown>;
  /** Seconds; defaults to now. */
  readonly iat?: number;
  /** Seconds; defaults to iat + 1 h; null omits the claim. */
  readonly exp?: number | null;
  readonly nbf?: number;
  /** Only for negative tests: the header's algorithm. The signature stays RS256. */
  readonly alg?: string;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** `domainEvent` as an object is serialised; as a string it is sent verbatim. */
export function signWixDelivery(
  domainEvent: Record<string, unknown> | string,
  options: WixSigningOptions,
): string {
  const identity = options.identity ?? { identityType: 'APP', appId: 'test-app-id' };
  const envelope = {
    eventType: options.eventType,
    instanceId: options.instanceId,
    data: typeof domainEvent === 'string' ? domainEvent : JSON.stringify(domainEvent),
    ...(options.identity === null
      ? {}
      : { identity: typeof identity === 'string' ? identity : JSON.stringify(identity) }),
    accountInfo: options.accountInfo ?? {
      accountId: 'test-account-id',
      siteId: options.instanceId,
    },
  };
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const exp = options.exp === undefined ? iat + 3600 : options.exp;
  const claims = {
    data: JSON.stringify(envelope),
    iat,
    ...(exp === null ? {} : { exp }),
    ...(options.nbf === undefined ? {} : { nbf: options.nbf }),
  };
  return signJwt(claims, options.privateKey, options.alg ?? 'RS256');
}

/** Any claims as a compact RS256 JWT (the header may name another `alg` for negative tests). */
export function signJwt(
  claims: Record<string, unknown>,
  privateKey: KeyObject,
  alg = 'RS256',
): string {
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
  return `${input}.${base64url(signature)}`;
}
