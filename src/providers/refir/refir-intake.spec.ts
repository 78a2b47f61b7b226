import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookReceived } from '../../ledger/webhook-received';
import type { InboundRequest } from '../provider-intake';
import { createRefirIntake } from './refir-intake';
import { rejection as rejectionOf } from '../../../test/support/expect-rejection';

const TEST_TOKEN = `test-refir-token-${randomBytes(12).toString('base64url')}`;
const NOW = new Date('2026-03-01T12:00:00.000Z');
const intake = createRefirIntake({ token: TEST_TOKEN });

const fixtureText = (name: string): string =>
  readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8');

function request(
  body: string | Buffer,
  options: { token?: string | undefined; headers?: Record<string, string> } = {},
): InboundRequest {
  return {
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'application/json', ...options.headers },
    params: { token: 'token' in options ? options.token : TEST_TOKEN },
    receivedAt: NOW,
  };
}

describe('Refir intake', () => {
  it('records a lead with its referrer as an understood referral, unverified by signature', () => {
    const text = fixtureText('new-lead-referred');
    const expected: WebhookReceived = {
      provider: 'refir',
      source: 'refir',
      providerEventType: 'new_lead',
      dedupeKey: `refir:sha256:${createHash('sha256').update(text).digest('hex')}`,
      tenantId: null,
      entity: { fqdn: null, id: null, sequence: null },
      receivedAt: '2026-03-01T12:00:00.000Z',
      verification: { method: 'refir-path-token', signed: false, keyId: 'refir' },
      understood: true,
      payload: JSON.parse(text) as WebhookReceived['payload'],
      delivery: {
        contentType: 'application/json',
        headers: { 'content-type': 'application/json' },
        body: text,
      },
    };
    expect(intake(request(text))).toEqual(expected);
  });

  describe('path token', () => {
    it.each([
      ['a different token', `test-refir-token-${randomBytes(12).toString('base64url')}`],
      ['the token with one more character', `${TEST_TOKEN}x`],
      ['a prefix of the token', TEST_TOKEN.slice(0, -1)],
      ['an empty token', ''],
      ['no token', undefined],
    ])('refuses %s with 401, without echoing either token', (_name, token) => {
      const rejection = rejectionOf(() =>
        intake(request(fixtureText('new-lead-referred'), { token })),
      );
      expect(rejection.status).toBe(401);
      expect(rejection.message).not.toContain(TEST_TOKEN);
      if (token) expect(rejection.message).not.toContain(token);
    });

    it('checks the token before the content type or the body', () => {
      const rejection = rejectionOf(() =>
        intake(request('{not json', { token: 'wrong', headers: { 'content-type': 'text/plain' } })),
      );
      expect(rejection.status).toBe(401);
    });

    it('answers 503 naming REFIR_WEBHOOK_TOKEN when no token is configured', () => {
      const rejection = rejectionOf(() =>
        createRefirIntake({ token: undefined })(request(fixtureText('new-lead-referred'))),
      );
      expect(rejection.status).toBe(503);
      expect(rejection.detail).toContain('REFIR_WEBHOOK_TOKEN');
    });
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['']])(
    'refuses content type %p with 415',
    (contentType) => {
      const rejection = rejectionOf(() =>
        intake(
          request(fixtureText('new-lead-referred'), { headers: { 'content-type': contentType } }),
        ),
      );
      expect(rejection.status).toBe(415);
    },
  );

  it.each([['application/json; charset=utf-8'], ['application/vnd.refir+json']])(
    'accepts JSON sent as %s',
    (contentType) => {
      const received = intake(
        request(fixtureText('new-lead-referred'), { headers: { 'content-type': contentType } }),
      );
      expect(received.understood).toBe(true);
    },
  );

  describe('deduplication on the exact bytes (Refir sends no id)', () => {
    it('gives a repeated delivery the same key', () => {
      const text = fixtureText('successful-referral');
      expect(intake(request(text)).dedupeKey).toBe(intake(request(text)).dedupeKey);
    });

    it('gives different bytes different keys, even for equal JSON', () => {
      const text = fixtureText('successful-referral');
      const compact = JSON.stringify(JSON.parse(text));
      expect(intake(request(compact)).dedupeKey).not.toBe(intake(request(text)).dedupeKey);
    });
  });

  describe('event type and understanding', () => {
    it('records a body that names no referral as not understood, type unknown', () => {
      const received = intake(request(fixtureText('message-only')));
      expect(received).toMatchObject({ providerEventType: 'unknown', understood: false });
    });

    it.each([
      [{ type: 'lead.created', lead: { email: 'a@example.com' } }, 'lead.created', false],
      [{ eventType: 'referral', referrerId: 'u-1', friendId: 'u-2' }, 'referral', true],
      [{ referrer: { id: 'u-1' }, referee: { email: 'b@example.com' } }, 'referral', true],
      [{ referrer: { name: 'no id' }, lead: { email: 'b@example.com' } }, 'unknown', false],
      [{ event: 'has a space', lead: { id: 'l' }, advocate: { id: 'a' } }, 'referral', true],
    ])('reads %j as %s (understood: %s)', (body, type, understood) => {
      expect(intake(request(JSON.stringify(body)))).toMatchObject({
        providerEventType: type,
        understood,
      });
    });
  });

  it('keeps no header but content type and user agent', () => {
    const received = intake(
      request(fixtureText('new-lead-referred'), {
        headers: { 'user-agent': 'Refir/1', authorization: 'Basic dGVzdDp0ZXN0', cookie: 'a=b' },
      }),
    );
    expect(received.delivery.headers).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Refir/1',
    });
  });

  it.each([
    ['invalid JSON', '{\n  "lead": {"email": "a@example.com"},\n}', /line 3, column 1/],
    ['a JSON array', '[1, 2]', /must be a JSON object/],
    ['a prototype key', '{"lead": {"__proto__": {"admin": true}}}', /forbidden key "__proto__"/],
  ])('refuses %s with 400 saying why', (_name, body, why) => {
    const rejection = rejectionOf(() => intake(request(body)));
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toMatch(why);
  });
});
