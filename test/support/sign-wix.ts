/**
 * A Wix webhook as Wix sends it: an RS256 JWT whose `data` claim is a JSON
 * string holding the envelope, whose `data` and `identity` are JSON strings again.
 */
import { createSign, type KeyObject } from 'node:crypto';

export interface WixSigningOptions {
  instanceId: string;
  eventType: string;
  privateKey: KeyObject;
  identity?: Record<string, unknown>;
  iat?: number;
  exp?: number;
  /** Only for negative tests: the header's algorithm. The signature stays RS256. */
  alg?: string;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export function signWixDelivery(
  domainEvent: Record<string, unknown> | string,
  options: WixSigningOptions,
): string {
  const envelope = {
    eventType: options.eventType,
    instanceId: options.instanceId,
    data: typeof domainEvent === 'string' ? domainEvent : JSON.stringify(domainEvent),
    identity: JSON.stringify(options.identity ?? { identityType: 'APP', appId: 'test-app' }),
    accountInfo: { accountId: 'test-account', siteId: options.instanceId },
  };
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const claims = { data: JSON.stringify(envelope), iat, exp: options.exp ?? iat + 3600 };
  return signJwt(claims, options.privateKey, options.alg ?? 'RS256');
}

export function signJwt(
  claims: Record<string, unknown>,
  privateKey: KeyObject,
  alg = 'RS256',
): string {
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
  return `${input}.${base64url(signature)}`;
}
