import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signTalkableCustomApp, talkableFormBody } from './talkable-sign';
import type { NamedSecret } from '../../config/app-config';
import type { JsonObject } from '../../ledger/json';
import type { WebhookReceived } from '../../ledger/webhook-received';
import type { InboundRequest } from '../provider-intake';
import { createTalkableIntake } from './talkable-intake';
import { rejection } from '../../../test/support/expect-rejection';

interface TalkableFixture {
  readonly site: string;
  readonly type: string;
  readonly payload: JsonObject;
}

const fixture = (name: string): TalkableFixture =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as TalkableFixture;
const rawFixture = (name: string): string =>
  readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8');

const testKey = (): string => `test-talkable-key-${randomBytes(9).toString('base64url')}`;
const SITE_KEY = testKey();
const receivedAt = new Date('2026-03-01T12:00:00.000Z');
const FORM = 'application/x-www-form-urlencoded';

function formRequest(body: string | Buffer, contentType = FORM): InboundRequest {
  return {
    rawBody: Buffer.from(body),
    headers: { 'content-type': contentType },
    params: {},
    receivedAt,
  };
}

function deliver(
  item: TalkableFixture,
  key = SITE_KEY,
  keys: NamedSecret[] = [{ id: 'test-site', secret: SITE_KEY }],
): WebhookReceived {
  return createTalkableIntake({ keys })(formRequest(talkableFormBody({ ...item, key })));
}

describe('Talkable legacy webhook intake', () => {
  it('records a key-verified referral webhook as one WebhookReceived, without its key', () => {
    const item = fixture('referral-approved');
    const body = talkableFormBody({ ...item, key: SITE_KEY });

    const event = createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(
      formRequest(body),
    );

    expect(event).toEqual<WebhookReceived>({
      provider: 'talkable',
      source: 'talkable',
      providerEventType: 'referral_web_hook',
      dedupeKey: 'talkable:test-site:referral:6400368',
      tenantId: 'test-site',
      entity: { fqdn: 'talkable.referral', id: '6400368', sequence: null },
      receivedAt: '2026-03-01T12:00:00.000Z',
      verification: { method: 'talkable-key', signed: false, keyId: 'test-site' },
      understood: true,
      payload: item.payload,
      delivery: {
        contentType: FORM,
        headers: { 'content-type': FORM },
        body: body.slice(body.indexOf('&') + 1),
      },
    });
  });

  it('records the curl variant of the seed under the same referral key', () => {
    expect(deliver(fixture('referral-approved-curl')).dedupeKey).toBe(
      deliver(fixture('referral-approved')).dedupeKey,
    );
  });

  it('refuses a key changed by one byte with 401', () => {
    const tampered = `${SITE_KEY.slice(0, -1)}${SITE_KEY.endsWith('a') ? 'b' : 'a'}`;
    expect(rejection(() => deliver(fixture('referral-approved'), tampered)).status).toBe(401);
  });

  it('refuses a wrong key with 401', () => {
    expect(rejection(() => deliver(fixture('referral-approved'), testKey())).status).toBe(401);
  });

  describe('per-site key selection', () => {
    const euKey = testKey();
    const usKey = testKey();
    const anyKey = testKey();
    const keys = [
      { id: '*', secret: anyKey },
      { id: 'shop-eu', secret: euKey },
      { id: 'shop-us', secret: usKey },
    ];
    const forSite = (site: string): TalkableFixture => ({ ...fixture('reward-paid'), site });

    it("accepts a site's own key and names it", () => {
      expect(deliver(forSite('shop-us'), usKey, keys).verification.keyId).toBe('shop-us');
    });

    it('refuses the key of another site with 401', () => {
      expect(rejection(() => deliver(forSite('shop-us'), euKey, keys)).status).toBe(401);
    });

    it('refuses the catch-all key for a site that has a key of its own', () => {
      expect(rejection(() => deliver(forSite('shop-eu'), anyKey, keys)).status).toBe(401);
    });

    it('accepts the catch-all key for a site without a key of its own', () => {
      const event = deliver(forSite('shop-jp'), anyKey, keys);
      expect(event.verification.keyId).toBe('*');
      expect(event.tenantId).toBe('shop-jp');
    });

    it('refuses a site with no key of its own and no catch-all with 401', () => {
      const scoped = keys.filter(({ id }) => id !== '*');
      expect(rejection(() => deliver(forSite('shop-jp'), anyKey, scoped)).status).toBe(401);
    });
  });

  it('stores the form without its key and the secret nowhere in the event', () => {
    const item = fixture('referral-approved');
    const body = talkableFormBody({ ...item, key: SITE_KEY });
    const event = deliver(item);
    expect(JSON.stringify(event)).not.toContain(SITE_KEY);
    expect(JSON.stringify(event)).not.toContain(encodeURIComponent(SITE_KEY));
    expect(event.delivery.body).toBe(body.replace(`key=${SITE_KEY}&`, ''));
    expect(new URLSearchParams(event.delivery.body).get('payload')).toBe(
      JSON.stringify(item.payload),
    );
  });

  it('keeps the other fields byte for byte when key is not the first field', () => {
    const raw = `site=test-site&payload=${encodeURIComponent('{"person":{"email":"a@example.com"}}')}&type=unsubscribe_web_hook&key=${SITE_KEY}`;
    const event = createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(
      formRequest(raw),
    );
    expect(event.delivery.body).toBe(raw.slice(0, raw.indexOf('&key=')));
  });

  it('names no secret in any error message', () => {
    const keys = [{ id: 'test-site', secret: SITE_KEY }];
    const item = fixture('referral-approved');
    const bodies = [
      talkableFormBody({ ...item, payload: '{"broken": ', key: SITE_KEY }),
      `${talkableFormBody({ ...item, key: SITE_KEY })}&key=${SITE_KEY}`,
      `key=${SITE_KEY}%ZZ&site=test-site&type=referral_web_hook&payload=%7B%7D`,
      `key=${SITE_KEY}&site=test-site`,
    ];
    for (const body of bodies) {
      const error = rejection(() => createTalkableIntake({ keys })(formRequest(body)));
      expect(error.status).toBe(400);
      expect(`${error.message} ${error.detail}`).not.toContain(SITE_KEY);
    }
  });

  it('keeps a + in a phone number when the form percent-encodes it', () => {
    const item = fixture('unsubscribe');
    const person = { ...(item.payload.person as JsonObject), phone_number: '+12025551111' };
    const event = deliver({ ...item, payload: { person } });
    expect((event.payload.person as JsonObject).phone_number).toBe('+12025551111');
  });

  it('reads an unencoded + as a space, as the form rules say (the seed curl hazard)', () => {
    const raw = `key=${SITE_KEY}&site=test-site&type=unsubscribe_web_hook&payload={"person":{"email":"a@example.com","phone_number":"+12025551111"}}`;
    const event = createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(
      formRequest(raw),
    );
    expect((event.payload.person as JsonObject).phone_number).toBe(' 12025551111');
  });

  it('refuses the uncorrected seed sample with 400 naming line and column', () => {
    const item = { ...fixture('referral-approved'), payload: {} };
    const body = talkableFormBody({
      ...item,
      payload: rawFixture('malformed/referral-approved-seed'),
      key: SITE_KEY,
    });
    const error = rejection(() =>
      createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(formRequest(body)),
    );
    expect(error.status).toBe(400);
    expect(error.detail).toMatch(/payload is not valid JSON: .* at line 10, column 5/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a payload carrying the key %s with 400',
    (forbidden) => {
      const payload = `{"person":{"email":"a@example.com","${forbidden}":{"polluted":true}}}`;
      const body = talkableFormBody({
        site: 'test-site',
        type: 'unsubscribe_web_hook',
        payload,
        key: SITE_KEY,
      });
      const error = rejection(() =>
        createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(formRequest(body)),
      );
      expect(error.status).toBe(400);
      expect(error.detail).toContain(forbidden);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it.each([
    ['a repeated field', (body: string) => `${body}&site=other-site`],
    ['a missing payload', (body: string) => body.slice(0, body.indexOf('&payload='))],
    ['an empty type', (body: string) => body.replace('type=reward_web_hook', 'type=')],
    ['a broken percent-escape', (body: string) => body.replace('payload=%7B', 'payload=%7')],
  ])('refuses a form with %s with 400', (_rule, mangle) => {
    const body = mangle(talkableFormBody({ ...fixture('reward-paid'), key: SITE_KEY }));
    const error = rejection(() =>
      createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(formRequest(body)),
    );
    expect(error.status).toBe(400);
  });

  it('answers 503 naming the setting when no key is configured', () => {
    const error = rejection(() => deliver(fixture('referral-approved'), SITE_KEY, []));
    expect(error.status).toBe(503);
    expect(error.detail).toContain('TALKABLE_WEBHOOK_KEY');
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['JSON without x-talkable-signature', { 'content-type': 'application/json' }],
    ['no content type', {}],
  ])('refuses %s with 415', (_case, headers: Record<string, string>) => {
    const body = talkableFormBody({ ...fixture('referral-approved'), key: SITE_KEY });
    const error = rejection(() =>
      createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })({
        ...formRequest(body),
        headers,
      }),
    );
    expect(error.status).toBe(415);
  });

  it('accepts a form content type with a charset parameter', () => {
    const body = talkableFormBody({ ...fixture('reward-paid'), key: SITE_KEY });
    const event = createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })(
      formRequest(body, `${FORM}; charset=utf-8`),
    );
    expect(event.understood).toBe(true);
  });

  it('records a verified delivery of an unknown type as not understood', () => {
    const event = deliver({ ...fixture('post-share'), type: 'loyalty_web_hook' });
    expect(event.understood).toBe(false);
    expect(event.providerEventType).toBe('loyalty_web_hook');
    expect(event.dedupeKey).toMatch(/^talkable:test-site:loyalty_web_hook:sha256:[0-9a-f]{64}$/);
    expect(event.entity).toEqual({ fqdn: null, id: null, sequence: null });
  });

  it('leaves the Custom App path to JSON with a signature', () => {
    const body = rawFixture('custom-app-referral-status-change');
    const event = createTalkableIntake({ keys: [{ id: 'test-site', secret: SITE_KEY }] })({
      ...formRequest(body, 'application/json'),
      headers: {
        'content-type': 'application/json',
        'x-talkable-signature': signTalkableCustomApp(body, SITE_KEY),
      },
    });
    expect(event.verification.method).toBe('talkable-signature');
  });
});
