import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signStandardWebhook, standardSignature } from './standard-sign';
import type { NamedSecret } from '../../config/app-config';
import { standardHeadersOf, verifyStandardSignature } from './standard-signature';
import { rejection as rejectionOf } from '../../../test/support/expect-rejection';

const testSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;
const OLD_SECRET = testSecret();
const NEW_SECRET = testSecret();
const SECRETS: NamedSecret[] = [
  { id: 'acme#1', secret: OLD_SECRET },
  { id: 'acme#2', secret: NEW_SECRET },
];
const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const TOLERANCE = 300;
const BODY = Buffer.from(readFileSync(join(__dirname, 'fixtures', 'referral-created.json')));
const ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

const signed = (options: { secret?: string; timestamp?: number; id?: string } = {}) =>
  signStandardWebhook(BODY, {
    id: options.id ?? ID,
    timestamp: options.timestamp ?? NOW_S,
    secret: options.secret ?? NEW_SECRET,
  });

const verify = (
  headers: Record<string, string>,
  body: Buffer = BODY,
  secrets: NamedSecret[] = SECRETS,
): string => verifyStandardSignature(body, standardHeadersOf(headers), secrets, NOW, TOLERANCE);

describe('Standard Webhooks signature', () => {
  it('names the configured secret that signed id.timestamp.body', () => {
    expect(verify(signed({ secret: OLD_SECRET }))).toBe('acme#1');
    expect(verify(signed({ secret: NEW_SECRET }))).toBe('acme#2');
  });

  it('accepts a header listing the old and the new signature during rotation', () => {
    const both = `${standardSignature(BODY, { id: ID, timestamp: NOW_S, secret: testSecret() })} ${
      signed({ secret: NEW_SECRET })['webhook-signature']
    }`;
    expect(verify({ ...signed(), 'webhook-signature': both })).toBe('acme#2');
  });

  it('ignores signature versions it does not know, and refuses when only those are present', () => {
    const valid = signed()['webhook-signature']!;
    const v1a = `v1a,${randomBytes(64).toString('base64')}`;
    const v2 = `v2,${valid.slice('v1,'.length)}`;
    expect(verify({ ...signed(), 'webhook-signature': `${v1a} ${v2} ${valid}` })).toBe('acme#2');
    const rejection = rejectionOf(() =>
      verify({ ...signed(), 'webhook-signature': `${v1a} ${v2}` }),
    );
    expect(rejection.status).toBe(401);
  });

  it('accepts the svix- header names', () => {
    const headers = signStandardWebhook(BODY, {
      id: ID,
      timestamp: NOW_S,
      secret: OLD_SECRET,
      prefix: 'svix',
    });
    expect(Object.keys(headers)).toEqual(['svix-id', 'svix-timestamp', 'svix-signature']);
    expect(verify(headers)).toBe('acme#1');
  });

  it('refuses a body changed by one byte with 401', () => {
    const tampered = Buffer.from(BODY);
    tampered[BODY.indexOf('ref_2b9d41') + 4] = 'X'.charCodeAt(0);
    expect(rejectionOf(() => verify(signed(), tampered)).status).toBe(401);
  });

  it('refuses a webhook-id changed after signing (it is signed too) with 401', () => {
    expect(rejectionOf(() => verify({ ...signed(), 'webhook-id': `${ID}x` })).status).toBe(401);
  });

  it('refuses a signature made with a secret that is not configured with 401', () => {
    expect(rejectionOf(() => verify(signed({ secret: testSecret() }))).status).toBe(401);
  });

  it.each([['v1,'], ['v1,AAAA'], ['v1,not base64 at all!'], ['v1'], ['']])(
    'refuses a truncated or garbled signature %p with 401 (length guard, nothing thrown)',
    (signature) => {
      const rejection = rejectionOf(() => verify({ ...signed(), 'webhook-signature': signature }));
      expect(rejection.status).toBe(401);
    },
  );

  describe('timestamp tolerance', () => {
    it.each([
      ['at the edge in the past', -TOLERANCE],
      ['at the edge in the future', TOLERANCE],
    ])('accepts a timestamp %s', (_name, offset) => {
      expect(verify(signed({ timestamp: NOW_S + offset }))).toBe('acme#2');
    });

    it.each([
      ['too old', -TOLERANCE - 1],
      ['too far in the future', TOLERANCE + 1],
    ])('refuses a timestamp %s with 401', (_name, offset) => {
      const rejection = rejectionOf(() => verify(signed({ timestamp: NOW_S + offset })));
      expect(rejection.status).toBe(401);
      expect(rejection.detail).toContain(`${TOLERANCE} s`);
    });

    it.each([['1772366400000'], ['1772366400.5'], ['-1'], ['soon']])(
      'refuses a timestamp that is not whole Unix seconds (%s) with 401',
      (timestamp) => {
        const headers = { ...signed(), 'webhook-timestamp': timestamp };
        expect(rejectionOf(() => verify(headers)).status).toBe(401);
      },
    );
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'refuses a delivery without %s with 401',
    (name) => {
      const headers: Record<string, string> = { ...signed() };
      delete headers[name];
      expect(rejectionOf(() => verify(headers)).status).toBe(401);
    },
  );

  it('never puts a secret in its messages', () => {
    const rejection = rejectionOf(() => verify(signed({ secret: testSecret() })));
    for (const { secret } of SECRETS) expect(rejection.message).not.toContain(secret);
  });
});
