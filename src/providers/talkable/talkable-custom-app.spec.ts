import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signTalkableCustomApp } from './talkable-sign';
import type { NamedSecret } from '../../config/app-config';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { createTalkableIntake } from './talkable-intake';
import { rejection } from '../../../test/support/expect-rejection';

const testKey = (): string => `test-talkable-key-${randomBytes(9).toString('base64url')}`;
const SITE_KEY = testKey();
const OTHER_KEY = testKey();
const KEYS: NamedSecret[] = [
  { id: 'test-site', secret: SITE_KEY },
  { id: 'other-site', secret: OTHER_KEY },
];
const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const BODY = readFileSync(
  join(__dirname, 'fixtures', 'custom-app-referral-status-change.json'),
  'utf8',
);

function deliver(body: string | Buffer, signature: string, keys = KEYS): WebhookReceived {
  return createTalkableIntake({ keys })({
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'application/json', 'x-talkable-signature': signature },
    params: {},
    receivedAt,
  });
}

describe('Talkable Custom App intake', () => {
  it('records a signed delivery for the site it names, verified but not understood yet', () => {
    const signature = signTalkableCustomApp(BODY, SITE_KEY);
    const event = deliver(BODY, signature);
    expect(event).toMatchObject({
      provider: 'talkable',
      providerEventType: 'custom_app',
      tenantId: 'test-site',
      entity: { fqdn: 'talkable.custom_app', id: null, sequence: null },
      verification: { method: 'talkable-signature', signed: true, keyId: 'test-site' },
      understood: false,
      payload: JSON.parse(BODY) as object,
      delivery: {
        body: BODY,
        headers: { 'content-type': 'application/json', 'x-talkable-signature': signature },
      },
    });
    expect(event.dedupeKey).toMatch(/^talkable:test-site:custom_app:sha256:[0-9a-f]{64}$/);
  });

  it('takes the event type from an action field, in a namespace of its own', () => {
    const body = JSON.stringify({ action: 'reward_web_hook', site_id: 'test-site' });
    const event = deliver(body, signTalkableCustomApp(body, SITE_KEY));
    expect(event.providerEventType).toBe('custom_app.reward_web_hook');
    expect(event.understood).toBe(false);
  });

  it('refuses a body changed by one byte with 401', () => {
    const signature = signTalkableCustomApp(BODY, SITE_KEY);
    const tampered = BODY.replace('approved', 'approvec');
    expect(rejection(() => deliver(tampered, signature)).status).toBe(401);
  });

  it('refuses the signature of another site for the site the body names', () => {
    expect(rejection(() => deliver(BODY, signTalkableCustomApp(BODY, OTHER_KEY))).status).toBe(401);
  });

  it('tries every key when the body names no site, and takes the site from the key', () => {
    const body = JSON.stringify({ referral_status: 'voided' });
    const event = deliver(body, signTalkableCustomApp(body, OTHER_KEY));
    expect(event.verification.keyId).toBe('other-site');
    expect(event.tenantId).toBe('other-site');
  });

  it.each([
    ['empty', ''],
    ['short', 'abc'],
    ['very long', 'A'.repeat(500)],
    [
      'base64 of the raw digest bytes instead of the hex text',
      createHmac('sha256', SITE_KEY).update(BODY).digest('base64'),
    ],
  ])('refuses a %s signature with 401 instead of throwing', (_case, signature) => {
    expect(rejection(() => deliver(BODY, signature)).status).toBe(401);
  });

  it('accepts a signature over the compact JSON when the body arrives formatted', () => {
    const compact = JSON.stringify(JSON.parse(BODY));
    expect(compact).not.toBe(BODY);
    const event = deliver(BODY, signTalkableCustomApp(compact, SITE_KEY));
    expect(event.delivery.body).toBe(BODY);
  });

  it('refuses a malformed JSON body with 400 naming line and column', () => {
    const body = '{\n  "site_id": "test-site",\n}';
    const error = rejection(() => deliver(body, signTalkableCustomApp(body, SITE_KEY)));
    expect(error.status).toBe(400);
    expect(error.detail).toMatch(/line 3, column 1/);
  });

  it('refuses a malformed JSON body with 401, not 400, when its signature does not match', () => {
    const body = '{\n  "site_id": "test-site",\n}';
    expect(rejection(() => deliver(body, signTalkableCustomApp(body, testKey()))).status).toBe(401);
  });
});
