import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signStandardWebhook } from './standard-sign';
import type { WebhooksConfig } from '../../config/app-config';
import type { WebhookReceived } from '../../ledger/webhook-received';
import type { InboundRequest } from '../provider-intake';
import { createStandardWebhooksIntake } from './standard-intake';
import { rejection as rejectionOf } from '../../../test/support/expect-rejection';

const TEST_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const CONFIG: WebhooksConfig['standard'] = {
  sources: new Map([['acme', { name: 'acme', secrets: [{ id: 'acme#1', secret: TEST_SECRET }] }]]),
  toleranceSeconds: 300,
};
const intake = createStandardWebhooksIntake(CONFIG);

const fixtureText = (name: string): string =>
  readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8');

function request(
  body: string,
  options: {
    id?: string;
    timestamp?: number;
    source?: string;
    headers?: Record<string, string>;
  } = {},
): InboundRequest {
  return {
    rawBody: Buffer.from(body),
    headers: {
      'content-type': 'application/json',
      ...signStandardWebhook(body, {
        id: options.id ?? 'msg_test_1',
        timestamp: options.timestamp ?? NOW_S,
        secret: TEST_SECRET,
      }),
      ...options.headers,
    },
    params: { source: options.source ?? 'acme' },
    receivedAt: NOW,
  };
}

describe('Standard Webhooks intake', () => {
  it('records a signed referral.created as one WebhookReceived keyed by webhook-id', () => {
    const text = fixtureText('referral-created');
    const delivery = request(text, { id: 'msg_2b9d41_created' });
    const expected: WebhookReceived = {
      provider: 'standard',
      source: 'acme',
      providerEventType: 'referral.created',
      dedupeKey: 'standard:acme:msg_2b9d41_created',
      tenantId: 'acme',
      entity: { fqdn: null, id: 'ref_2b9d41', sequence: null },
      receivedAt: '2026-03-01T12:00:00.000Z',
      verification: { method: 'standard-webhooks-v1', signed: true, keyId: 'acme#1' },
      understood: true,
      payload: JSON.parse(text) as WebhookReceived['payload'],
      delivery: {
        contentType: 'application/json',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'msg_2b9d41_created',
          'webhook-timestamp': String(NOW_S),
          'webhook-signature': delivery.headers['webhook-signature']!,
        },
        body: text,
      },
    };
    expect(intake(delivery)).toEqual(expected);
  });

  it('keys a retry (same webhook-id, new timestamp, new signature) like the first attempt', () => {
    const text = fixtureText('referral-approved');
    const first = intake(request(text, { id: 'msg_retry' }));
    const retry = intake(request(text, { id: 'msg_retry', timestamp: NOW_S - 120 }));
    expect(retry.delivery.headers['webhook-signature']).not.toBe(
      first.delivery.headers['webhook-signature'],
    );
    expect(retry.dedupeKey).toBe(first.dedupeKey);
  });

  it('records an event type it does not read as not understood', () => {
    expect(intake(request(fixtureText('invoice-paid')))).toMatchObject({
      providerEventType: 'invoice.paid',
      understood: false,
    });
  });

  it.each([
    ['no type', { data: {} }],
    ['a type that is not a string', { type: 7, data: {} }],
    ['a type with spaces', { type: 'referral created', data: {} }],
  ])('records a body with %s as type "unknown", not understood', (_name, body) => {
    expect(intake(request(JSON.stringify(body)))).toMatchObject({
      providerEventType: 'unknown',
      understood: false,
    });
  });

  it('answers 503 for an unknown source, saying how to configure it', () => {
    const rejection = rejectionOf(() =>
      intake(request(fixtureText('referral-created'), { source: 'globex' })),
    );
    expect(rejection.status).toBe(503);
    expect(rejection.detail).toContain('STANDARD_WEBHOOK_SOURCES (add <source>=whsec_…');
    expect(rejection.detail).not.toContain('globex');
  });

  it('does not repeat a source name that could not be one (a misplaced secret, say)', () => {
    const misplaced = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw==';
    const rejection = rejectionOf(() =>
      intake(request(fixtureText('referral-created'), { source: misplaced })),
    );
    expect(rejection.status).toBe(503);
    expect(rejection.detail).not.toContain(misplaced);
  });

  it('refuses a body that is not JSON by its content type with 415', () => {
    const delivery = request(fixtureText('referral-created'), {
      headers: { 'content-type': 'text/plain' },
    });
    expect(rejectionOf(() => intake(delivery)).status).toBe(415);
  });

  it('verifies before it parses: an unsigned malformed body is 401, a signed one 400', () => {
    const malformed = '{\n  "type": "referral.created",\n  "data": {,}\n}';
    const unsigned = { ...request(malformed), rawBody: Buffer.from(`${malformed} `) };
    expect(rejectionOf(() => intake(unsigned)).status).toBe(401);
    const rejection = rejectionOf(() => intake(request(malformed)));
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toMatch(/line 3, column 12/);
  });

  it('keeps the webhook headers for re-verification, and no credentials', () => {
    const received = intake(
      request(fixtureText('referral-created'), {
        headers: {
          authorization: 'Bearer test-not-a-real-token',
          'user-agent': 'Svix-Webhooks/1.0',
        },
      }),
    );
    expect(Object.keys(received.delivery.headers).sort()).toEqual([
      'content-type',
      'user-agent',
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(JSON.stringify(received)).not.toContain(TEST_SECRET);
  });

  it('refuses a webhook-id it could not use as a key (spaces) with 400, after verifying', () => {
    const rejection = rejectionOf(() =>
      intake(request(fixtureText('referral-created'), { id: 'msg with spaces' })),
    );
    expect(rejection.status).toBe(400);
  });
});
