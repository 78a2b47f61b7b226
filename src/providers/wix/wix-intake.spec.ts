import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signWixDelivery, type WixSigningOptions } from './wix-sign';
import { testKeyPair } from '../../../test/support/test-keys';
import type { WixAppKey } from '../../config/app-config';
import type { JsonObject } from '../../ledger/json';
import type { WebhookReceived } from '../../ledger/webhook-received';
import type { InboundRequest } from '../provider-intake';
import { createWixIntake } from './wix-intake';
import { verifyWixJwt } from './wix-jwt';
import { rejection as rejectionOf } from '../../../test/support/expect-rejection';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;
const INSTANCE = 'a9f8e7d6-0000-4000-8000-000000000001';
const app = testKeyPair();
const KEYS: WixAppKey[] = [{ id: 'default', key: app.publicKey }];
const intake = createWixIntake({ keys: KEYS });

const fixtureText = (name: string): string =>
  readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8');
const fixture = (name: string): JsonObject => JSON.parse(fixtureText(name)) as JsonObject;
function field(event: JsonObject, name: string): string {
  const value = event[name];
  if (typeof value !== 'string') throw new Error(`the fixture has no ${name}`);
  return value;
}
const eventTypeOf = (event: JsonObject): string =>
  `${field(event, 'entityFqdn')}_${field(event, 'slug')}`;

function sign(domainEvent: JsonObject | string, options: Partial<WixSigningOptions> = {}): string {
  return signWixDelivery(domainEvent, {
    instanceId: INSTANCE,
    eventType: typeof domainEvent === 'string' ? 'wix.unknown' : eventTypeOf(domainEvent),
    privateKey: app.privateKey,
    identity: { identityType: 'APP', appId: 'test-app-id' },
    iat: NOW_S,
    ...options,
  });
}

function request(token: string, headers: Record<string, string> = {}): InboundRequest {
  return {
    rawBody: Buffer.from(token),
    headers: { 'content-type': 'text/plain', ...headers },
    params: {},
    receivedAt: NOW,
  };
}

const FIXTURES = [
  'referring-customer-created',
  'referred-friend-created',
  'referral-event-friend-signup',
  'referred-friend-updated',
  'referral-event-action',
  'referral-event-successful-referral',
  'referral-event-reward-points',
  'referral-event-created-reward',
  'program-updated',
  'review-request-created',
  'review-request-updated',
  'review-request-deleted',
];

describe('Wix intake', () => {
  it('records the corrected seed referral event, signed, as one WebhookReceived', () => {
    const event = fixture('referral-event-created-reward');
    const token = sign(event);
    const expected: WebhookReceived = {
      provider: 'wix',
      source: 'wix',
      providerEventType: 'wix.loyalty.referral.v1.referral_event_created',
      dedupeKey: `wix:${INSTANCE}:9aca3895-8c58-48b7-84a5-35bcd431c125`,
      tenantId: INSTANCE,
      entity: {
        fqdn: 'wix.loyalty.referral.v1.referral_event',
        id: 'aaf51c30-a61c-473e-96be-a42dfa5064c0',
        sequence: '1',
      },
      receivedAt: '2026-03-01T12:00:00.000Z',
      verification: { method: 'wix-jwt-rs256', signed: true, keyId: 'default' },
      understood: true,
      payload: {
        eventType: 'wix.loyalty.referral.v1.referral_event_created',
        instanceId: INSTANCE,
        identity: { identityType: 'APP', appId: 'test-app-id' },
        accountInfo: { accountId: 'test-account-id', siteId: INSTANCE },
        data: event,
      },
      delivery: {
        contentType: 'text/plain',
        headers: { 'content-type': 'text/plain' },
        body: token,
      },
    };
    expect(intake(request(token))).toEqual(expected);
  });

  it('records the corrected seed review request (trailing comma removed)', () => {
    const event = fixture('review-request-created');
    const received = intake(request(sign(event)));
    expect(received).toMatchObject({
      providerEventType: 'wix.reviews.v2.review_request_created',
      dedupeKey: `wix:${INSTANCE}:0ec75a41-ae29-4e5e-8063-46f5a5d925d9`,
      entity: {
        fqdn: 'wix.reviews.v2.review_request',
        id: '15f470a4-a960-43bb-b1ed-886e1050efcd',
        sequence: '1',
      },
      understood: true,
    });
    expect(received.payload.data).toEqual(event);
  });

  it.each(FIXTURES)('records fixture %s as understood, keyed by instance and event id', (name) => {
    const event = fixture(name);
    const received = intake(request(sign(event)));
    expect(received).toMatchObject({
      dedupeKey: `wix:${INSTANCE}:${field(event, 'id')}`,
      entity: { fqdn: event.entityFqdn, id: event.entityId, sequence: event.entityEventSequence },
      understood: true,
    });
    expect(received.payload.data).toEqual(event);
  });

  it('parses entity bodies that Wix sends as JSON strings before storing them', () => {
    const event = fixture('referred-friend-updated');
    const updated = event.updatedEvent as JsonObject;
    const asString = {
      ...event,
      updatedEvent: { currentEntity: JSON.stringify(updated.currentEntity) },
    };
    expect(intake(request(sign(asString))).payload.data).toEqual(event);
  });

  describe('deduplication', () => {
    it('keys a resend with a freshly minted token like the first delivery', () => {
      const event = fixture('referred-friend-created');
      const first = intake(request(sign(event, { iat: NOW_S - 600 })));
      const resend = intake(request(sign(event, { iat: NOW_S })));
      expect(resend.delivery.body).not.toBe(first.delivery.body);
      expect(resend.dedupeKey).toBe(first.dedupeKey);
    });

    it('keeps the same event id from two sites apart', () => {
      const event = fixture('referred-friend-created');
      const a = intake(request(sign(event, { instanceId: 'site-a' })));
      const b = intake(request(sign(event, { instanceId: 'site-b' })));
      expect([a.dedupeKey, a.tenantId, b.dedupeKey, b.tenantId]).toEqual([
        `wix:site-a:${field(event, 'id')}`,
        'site-a',
        `wix:site-b:${field(event, 'id')}`,
        'site-b',
      ]);
    });
  });

  it.each([['application/json'], ['application/jwt'], ['text/plain; charset=utf-8']])(
    'reads the body as a JWT whatever the content type says (%s)',
    (contentType) => {
      const token = sign(fixture('review-request-updated'));
      expect(intake(request(token, { 'content-type': contentType })).understood).toBe(true);
    },
  );

  it('reads a body without a content type, and a JWT followed by a newline', () => {
    const token = sign(fixture('review-request-updated'));
    const received = intake({ ...request(`${token}\n`), headers: {} });
    expect(received.delivery).toEqual({ contentType: null, headers: {}, body: token });
  });

  it('keeps the allow-listed provenance headers (content type, user agent, x-wix-request-id) and no credentials', () => {
    const received = intake(
      request(sign(fixture('review-request-updated')), {
        'user-agent': 'Wix-Webhooks/1.0',
        'x-wix-request-id': 'req-1',
        // A sender's own x-wix-* headers are not Wix's provenance: not stored.
        'x-wix-anything': 'chosen by the sender',
        'x-wix-signature': 'forged',
        authorization: 'Bearer test-not-a-real-token',
        cookie: 'session=test',
        'x-forwarded-for': '203.0.113.7',
      }),
    );
    expect(received.delivery.headers).toEqual({
      'content-type': 'text/plain',
      'user-agent': 'Wix-Webhooks/1.0',
      'x-wix-request-id': 'req-1',
    });
  });

  it('stores the token so that its provenance can be verified again later', () => {
    const received = intake(request(sign(fixture('referral-event-action'))));
    const again = verifyWixJwt(received.delivery.body, KEYS, new Date(received.receivedAt));
    expect(again.keyId).toBe(received.verification.keyId);
  });

  it('records a verified event of a type it does not know, marked not understood', () => {
    const event = {
      id: 'evt-product-1',
      entityFqdn: 'wix.stores.v1.product',
      slug: 'created',
      entityId: 'product-1',
      createdEvent: { entity: { id: 'product-1' } },
    };
    const received = intake(request(sign(event)));
    expect(received).toMatchObject({
      providerEventType: 'wix.stores.v1.product_created',
      dedupeKey: `wix:${INSTANCE}:evt-product-1`,
      understood: false,
    });
  });

  it('records the seed referral original (cratedEvent typo: no body) marked not understood', () => {
    const original = fixtureText('malformed/referral-event-created-seed');
    const received = intake(
      request(sign(original, { eventType: 'wix.loyalty.referral.v1.referral_event_created' })),
    );
    expect(received).toMatchObject({
      dedupeKey: `wix:${INSTANCE}:9aca3895-8c58-48b7-84a5-35bcd431c125`,
      understood: false,
    });
    expect(received.payload.data).toEqual(JSON.parse(original));
  });

  it('refuses the seed review request original (trailing comma) with 400 naming line and column', () => {
    const original = fixtureText('malformed/review-request-created-seed');
    const rejection = rejectionOf(() =>
      intake(request(sign(original, { eventType: 'wix.reviews.v2.review_request_created' }))),
    );
    expect(rejection.status).toBe(400);
    expect(rejection.detail).toMatch(
      /^the domain event \(envelope\.data\) is not valid JSON: .* at line 1, column \d+ \(near /,
    );
  });

  it('checks the signature before reading anything inside the token', () => {
    const forged = sign(fixtureText('malformed/review-request-created-seed'), {
      privateKey: testKeyPair('stranger').privateKey,
    });
    expect(rejectionOf(() => intake(request(forged))).status).toBe(401);
  });

  it('refuses a body with bytes outside a JWT (not ASCII) as not a JWT, with 401', () => {
    const token = sign(fixture('review-request-created'));
    const rawBody = Buffer.concat([Buffer.from(token.slice(0, 40)), Buffer.from([0xc3, 0x28])]);
    expect(rejectionOf(() => intake({ ...request(''), rawBody })).status).toBe(401);
  });

  it('answers 503 naming WIX_APP_PUBLIC_KEY when no key is configured', () => {
    const rejection = rejectionOf(() =>
      createWixIntake({ keys: [] })(request(sign(fixture('review-request-created')))),
    );
    expect(rejection.status).toBe(503);
    expect(rejection.detail).toContain('WIX_APP_PUBLIC_KEY (or WIX_APP_PUBLIC_KEYS)');
  });

  it('uses the leeway it is given for expired tokens', () => {
    const strict = createWixIntake({ keys: KEYS }, { leeway: { expSeconds: 0, nbfSeconds: 0 } });
    const expired = sign(fixture('review-request-created'), { iat: NOW_S - 7200, exp: NOW_S - 1 });
    expect(rejectionOf(() => strict(request(expired))).status).toBe(401);
    expect(intake(request(expired)).understood).toBe(true);
  });
});
