import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { signJwt, signWixDelivery } from './wix-sign';
import { testKeyPair, testWixPublicKeyPem } from '../../../test/support/test-keys';
import type { WixAppKey } from '../../config/app-config';
import { verifyWixJwt, WIX_DEFAULT_LEEWAY } from './wix-jwt';
import { rejection as rejectionOf } from '../../../test/support/expect-rejection';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const app = testKeyPair();
const stranger = testKeyPair('stranger');
const APP_KEY: WixAppKey = { id: 'test-app', key: app.publicKey };
const STRANGER_KEY: WixAppKey = { id: 'other-app', key: stranger.publicKey };
const EVENT = { id: 'evt-1', entityFqdn: 'wix.reviews.v2.review_request', slug: 'created' };

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

const token = (options: { iat?: number; exp?: number | null; nbf?: number; alg?: string } = {}) =>
  signWixDelivery(EVENT, {
    instanceId: 'test-instance',
    eventType: 'wix.reviews.v2.review_request_created',
    privateKey: app.privateKey,
    iat: NOW_S,
    ...options,
  });

/** A JWT from raw header and claims text, RS256-signed (claims may be anything, even bad JSON). */
function signRaw(header: object, claimsText: string, privateKey: KeyObject = app.privateKey) {
  const input = `${base64url(JSON.stringify(header))}.${base64url(claimsText)}`;
  return `${input}.${base64url(createSign('RSA-SHA256').update(input).sign(privateKey))}`;
}

/** Changes one character of the given part (0 header, 1 claims, 2 signature) to another base64url one. */
function tamper(jwt: string, part: number): string {
  const parts = jwt.split('.');
  const text = parts[part]!;
  const at = Math.floor(text.length / 2);
  parts[part] = `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
  return parts.join('.');
}

const verify = (jwt: string, keys: readonly WixAppKey[] = [APP_KEY], now = NOW) =>
  verifyWixJwt(jwt, keys, now);

describe('Wix JWT verification', () => {
  it('accepts an RS256 token signed with the app key and names the key that matched', () => {
    const verified = verify(token(), [STRANGER_KEY, APP_KEY]);
    expect(verified.keyId).toBe('test-app');
    expect(verified.claims).toMatchObject({ iat: NOW_S, exp: NOW_S + 3600, nbf: null });
    expect(JSON.parse(verified.claims.data)).toMatchObject({ instanceId: 'test-instance' });
  });

  it.each([
    ['header', 0],
    ['claims', 1],
    ['signature', 2],
  ])('refuses a token whose %s changed by one character with 401', (_part, part) => {
    expect(rejectionOf(() => verify(tamper(token(), part))).status).toBe(401);
  });

  it('refuses a token signed with a key that is not configured with 401', () => {
    const rejection = rejectionOf(() => verify(token(), [STRANGER_KEY]));
    expect(rejection.status).toBe(401);
    expect(rejection.detail).toContain('does not verify');
  });

  it('refuses alg "none" with an empty signature with 401', () => {
    const unsigned = `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${token().split('.')[1]}.`;
    expect(rejectionOf(() => verify(unsigned)).status).toBe(401);
  });

  it('refuses HS256 keyed with the public PEM (algorithm confusion) with 401', () => {
    const input = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${token().split('.')[1]}`;
    const mac = createHmac('sha256', testWixPublicKeyPem()).update(input).digest();
    const rejection = rejectionOf(() => verify(`${input}.${base64url(mac)}`));
    expect(rejection.status).toBe(401);
    expect(rejection.detail).toBe('the JWT algorithm must be RS256, got "HS256"');
  });

  it.each(['none', 'HS256', 'RS512', 'PS256', 'ES256', 'rs256'])(
    'refuses a header naming %s even when the signature is valid RS256, with 401',
    (alg) => {
      expect(rejectionOf(() => verify(token({ alg }))).status).toBe(401);
    },
  );

  it('refuses a header with critical extensions it cannot honour with 401', () => {
    const claims = Buffer.from(token().split('.')[1]!, 'base64url').toString('utf8');
    const jwt = signRaw({ alg: 'RS256', crit: ['b64'], b64: false }, claims);
    expect(rejectionOf(() => verify(jwt)).status).toBe(401);
  });

  it.each([
    ['a JSON body', '{"data":"{}"}'],
    ['two parts', 'eyJhbGciOiJSUzI1NiJ9.eyJkYXRhIjoie30ifQ'],
    ['padding', `${token()}=`],
    ['an empty body', ''],
  ])('refuses %s as not a JWT with 401', (_name, body) => {
    expect(rejectionOf(() => verify(body)).status).toBe(401);
  });

  it.each([
    ['ECDSA', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['RSA-PSS', () => generateKeyPairSync('rsa-pss', { modulusLength: 2048 })],
  ])('never lets a configured %s key vouch for "RS256" (401)', (_kind, generate) => {
    const other = generate();
    const input = `${base64url(JSON.stringify({ alg: 'RS256' }))}.${token().split('.')[1]}`;
    const signature = createSign('SHA256').update(input).sign(other.privateKey);
    const rejection = rejectionOf(() =>
      verify(`${input}.${base64url(signature)}`, [{ id: 'other', key: other.publicKey }]),
    );
    expect(rejection.status).toBe(401);
  });

  describe('token lifetime', () => {
    it('accepts a token without exp', () => {
      expect(verify(token({ exp: null })).claims.exp).toBeNull();
    });

    it('accepts a resend of an expired token within the 48 h resend window', () => {
      const late = new Date((NOW_S + 3600 + 47 * 3600) * 1000);
      expect(verify(token(), [APP_KEY], late).keyId).toBe('test-app');
    });

    it('refuses a token expired for longer than the leeway with 401', () => {
      const tooLate = new Date((NOW_S + 3600 + WIX_DEFAULT_LEEWAY.expSeconds + 1) * 1000);
      const rejection = rejectionOf(() => verify(token(), [APP_KEY], tooLate));
      expect(rejection.status).toBe(401);
      expect(rejection.detail).toContain('expired');
    });

    it('applies a stricter leeway when one is given', () => {
      const twoMinutesLate = new Date((NOW_S + 3600 + 120) * 1000);
      const strict = { expSeconds: 60, nbfSeconds: 60 };
      expect(
        rejectionOf(() => verifyWixJwt(token(), [APP_KEY], twoMinutesLate, strict)).status,
      ).toBe(401);
    });

    it('refuses a token not valid for more than a minute yet with 401', () => {
      const rejection = rejectionOf(() => verify(token({ nbf: NOW_S + 61 })));
      expect(rejection.status).toBe(401);
      expect(rejection.detail).toContain('not valid yet');
    });

    it('accepts a token whose nbf is within a minute of clock skew', () => {
      expect(verify(token({ nbf: NOW_S + 59 })).claims.nbf).toBe(NOW_S + 59);
    });
  });

  describe('claims of a correctly signed token', () => {
    it('refuses a data claim that is not a string with 400', () => {
      const jwt = signJwt({ data: { eventType: 'x' }, iat: NOW_S }, app.privateKey);
      const rejection = rejectionOf(() => verify(jwt));
      expect(rejection.status).toBe(400);
      expect(rejection.detail).toContain('"data" must be a JSON string');
    });

    it('refuses claims that are not JSON with 400 naming line and column', () => {
      const jwt = signRaw({ alg: 'RS256' }, '{\n  "data": "{}",\n  "iat": 17,\n}');
      const rejection = rejectionOf(() => verify(jwt));
      expect(rejection.status).toBe(400);
      expect(rejection.detail).toMatch(/JWT claims is not valid JSON: .* at line 4, column 1/);
    });

    it('refuses an exp that is not a number with 400', () => {
      const jwt = signJwt({ data: '{}', exp: '2026-03-01' }, app.privateKey);
      expect(rejectionOf(() => verify(jwt)).status).toBe(400);
    });
  });
});
