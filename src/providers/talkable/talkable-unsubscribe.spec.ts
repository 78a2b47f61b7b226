import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signTalkableCustomApp, talkableFormBody } from './talkable-sign';
import type { JsonObject } from '../../ledger/json';
import type { WebhookReceived } from '../../ledger/webhook-received';
import { createTalkableIntake } from './talkable-intake';
import { checkUnsubscribeEmailOf, unsubscribeEmailOf } from './talkable-unsubscribe';

const KEY = `test-talkable-key-${randomBytes(9).toString('base64url')}`;
const accept = createTalkableIntake({ keys: [{ id: '*', secret: KEY }] });
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as {
    site: string;
    type: string;
    payload: JsonObject;
  };
const legacy = (name: string, change: (payload: JsonObject) => JsonObject = (p) => p) => {
  const item = fixture(name);
  return accept({
    rawBody: Buffer.from(talkableFormBody({ ...item, payload: change(item.payload), key: KEY })),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    params: {},
    receivedAt: new Date('2026-03-01T12:00:00.000Z'),
  });
};

describe('Talkable unsubscribe addresses', () => {
  it('reads the unsubscribed address, lower-cased, from an unsubscribe webhook', () => {
    const event = legacy('unsubscribe', (payload) => ({
      person: { ...(payload.person as JsonObject), email: ' Referred@Example.com' },
    }));
    expect(unsubscribeEmailOf(event)).toBe('referred@example.com');
    expect(checkUnsubscribeEmailOf(event)).toBeNull();
  });

  it('reads the recipient a check asks about, so that it matches the unsubscribe', () => {
    const check = legacy('check-unsubscribe');
    expect(checkUnsubscribeEmailOf(check)).toBe(unsubscribeEmailOf(legacy('unsubscribe')));
    expect(unsubscribeEmailOf(check)).toBeNull();
  });

  it('answers null for other types and for a check without an address', () => {
    expect(unsubscribeEmailOf(legacy('reward-paid'))).toBeNull();
    expect(checkUnsubscribeEmailOf(legacy('check-unsubscribe', () => ({ recipient: {} })))).toBe(
      null,
    );
  });

  it('ignores a Custom App delivery that only claims to be an unsubscribe', () => {
    const body = JSON.stringify({ type: 'unsubscribe_web_hook', person: { email: 'a@b.example' } });
    const event: WebhookReceived = accept({
      rawBody: Buffer.from(body),
      headers: {
        'content-type': 'application/json',
        'x-talkable-signature': signTalkableCustomApp(body, KEY),
      },
      params: {},
      receivedAt: new Date('2026-03-01T12:00:00.000Z'),
    });
    expect(unsubscribeEmailOf({ ...event, providerEventType: 'unsubscribe_web_hook' })).toBeNull();
  });
});
