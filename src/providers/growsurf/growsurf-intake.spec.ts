import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGrowsurf } from './growsurf-sign';
import type { NamedSecret } from '../../config/app-config';
import type { JsonObject } from '../../ledger/json';
import type { WebhookReceived } from '../../ledger/webhook-received';
import type { InboundRequest } from '../provider-intake';
import { createGrowsurfIntake } from './growsurf-intake';
import { rejection } from '../../../test/support/expect-rejection';

const testSecret = (): string => `test-growsurf-secret-${randomBytes(9).toString('base64url')}`;
const SECRET = testSecret();
const NOW = new Date('2026-03-01T12:00:00.000Z');
const TOLERANCE_MS = 300_000;

const rawFixture = (name: string): string =>
  readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8');

function signed(
  body: string | Buffer,
  secret = SECRET,
  headers: Record<string, string> = {},
): InboundRequest {
  return {
    rawBody: Buffer.from(body),
    headers: {
      'content-type': 'application/json',
      'growsurf-signature': signGrowsurf(body, secret, NOW.getTime()),
      ...headers,
    },
    params: {},
    receivedAt: NOW,
  };
}

const intake = (secrets: NamedSecret[] = [{ id: '*', secret: SECRET }]) =>
  createGrowsurfIntake({ secrets, toleranceMs: TOLERANCE_MS });

describe('GrowSurf intake', () => {
  it('stores the body as received, a leading byte-order mark included', () => {
    const body = rawFixture('participant-reached-goal-referrer');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
    expect(intake()(signed(body)).delivery.body).toBe(body);
    const event = intake()(signed(withBom));
    expect(event.delivery.body).toBe(`\ufeff${body}`);
    expect(event.payload).toEqual(JSON.parse(body));
  });

  it('records a signed reward event as one WebhookReceived', () => {
    const body = rawFixture('participant-reached-goal-referrer');
    const request = signed(body);

    const event = intake()(request);

    expect(event).toEqual<WebhookReceived>({
      provider: 'growsurf',
      source: 'growsurf',
      providerEventType: 'PARTICIPANT_REACHED_A_GOAL',
      dedupeKey: 'growsurf:ct8f71:reward:ccm2ue:true',
      tenantId: 'ct8f71',
      entity: { fqdn: 'growsurf.reward', id: 'ccm2ue', sequence: null },
      receivedAt: '2026-03-01T12:00:00.000Z',
      verification: { method: 'growsurf-signature', signed: true, keyId: '*' },
      understood: true,
      payload: JSON.parse(body) as JsonObject,
      delivery: {
        contentType: 'application/json',
        headers: {
          'content-type': 'application/json',
          'growsurf-signature': request.headers['growsurf-signature']!,
        },
        body,
      },
    });
  });

  it('refuses a body changed by one byte with 401', () => {
    const body = rawFixture('participant-reached-goal-referrer');
    const request = signed(body);
    const tampered = { ...request, rawBody: Buffer.from(body.replace('ccm2ue', 'ccm2uf')) };
    expect(rejection(() => intake()(tampered)).status).toBe(401);
  });

  it('refuses a delivery without a signature header with 401', () => {
    const { 'growsurf-signature': _dropped, ...headers } = signed(
      rawFixture('campaign-ended'),
    ).headers;
    expect(
      rejection(() => intake()({ ...signed(rawFixture('campaign-ended')), headers })).status,
    ).toBe(401);
  });

  it.each([
    ['stale', -TOLERANCE_MS - 1],
    ['future', TOLERANCE_MS + 1],
  ])('refuses a %s signature timestamp with 401', (_case, offset) => {
    const body = rawFixture('campaign-ended');
    const request = signed(body, SECRET, {
      'growsurf-signature': signGrowsurf(body, SECRET, NOW.getTime() + offset),
    });
    expect(rejection(() => intake()(request)).status).toBe(401);
  });

  describe('per-campaign secret selection', () => {
    const campaignSecret = testSecret();
    const otherSecret = testSecret();
    const anySecret = testSecret();
    const secrets = [
      { id: '*', secret: anySecret },
      { id: 'ct8f71', secret: campaignSecret },
      { id: 'zz9k2p', secret: otherSecret },
    ];

    it("accepts the campaign's own secret and names it", () => {
      const event = intake(secrets)(signed(rawFixture('new-participant-referred'), campaignSecret));
      expect(event.verification.keyId).toBe('ct8f71');
      expect(event.tenantId).toBe('ct8f71');
    });

    it('finds the campaign of CAMPAIGN_ENDED in data.id', () => {
      const event = intake(secrets)(signed(rawFixture('campaign-ended'), campaignSecret));
      expect(event.verification.keyId).toBe('ct8f71');
    });

    it("refuses another campaign's secret with 401", () => {
      const request = signed(rawFixture('new-participant-referred'), otherSecret);
      expect(rejection(() => intake(secrets)(request)).status).toBe(401);
    });

    it('refuses the catch-all secret for a campaign with a secret of its own', () => {
      const request = signed(rawFixture('new-participant-referred'), anySecret);
      expect(rejection(() => intake(secrets)(request)).status).toBe(401);
    });

    it('accepts the catch-all secret for a campaign without one of its own', () => {
      const body = rawFixture('new-participant-referred').replaceAll('ct8f71', 'qq4n8d');
      const event = intake(secrets)(signed(body, anySecret));
      expect(event.verification.keyId).toBe('*');
      expect(event.tenantId).toBe('qq4n8d');
    });

    it('takes the campaign from the secret when the body names none', () => {
      const body = JSON.stringify({
        event: 'NEW_PAYOUT_ISSUED',
        createdAt: 1,
        data: { id: 'po1' },
      });
      const event = intake(secrets)(signed(body, otherSecret));
      expect(event.tenantId).toBe('zz9k2p');
      expect(event.dedupeKey).toBe('growsurf:zz9k2p:payout:po1');
    });
  });

  it('answers 503 naming the setting when no secret is configured', () => {
    const error = rejection(() => intake([])(signed(rawFixture('campaign-ended'))));
    expect(error.status).toBe(503);
    expect(error.detail).toContain('GROWSURF_WEBHOOK_SECRET');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'refuses %s with 415',
    (contentType) => {
      const request = signed(rawFixture('campaign-ended'), SECRET, { 'content-type': contentType });
      expect(rejection(() => intake()(request)).status).toBe(415);
    },
  );

  it.each([
    ['malformed/new-participant-added-seed', /line 48, column 5/],
    ['malformed/campaign-ended-seed', /line 39, column 7/],
  ])('refuses the uncorrected seed %s with 400 naming line and column', (name, position) => {
    const error = rejection(() => intake()(signed(rawFixture(name))));
    expect(error.status).toBe(400);
    expect(error.detail).toMatch(position);
  });

  it('refuses an unparseable body with 401, not 400, when its signature does not match', () => {
    const body = rawFixture('malformed/campaign-ended-seed');
    const request = signed(body, testSecret());
    expect(rejection(() => intake()(request)).status).toBe(401);
  });

  it('refuses a body that is not UTF-8 with 400 only once its signature matches', () => {
    const body = Buffer.concat([
      Buffer.from('{"event":"X","data":{"id":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    expect(rejection(() => intake()(signed(body))).status).toBe(400);
    expect(rejection(() => intake()(signed(body, testSecret()))).status).toBe(401);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a body carrying the key %s with 400',
    (forbidden) => {
      const body = `{"event":"NEW_PARTICIPANT_ADDED","createdAt":1,"data":{"id":"p","${forbidden}":{"polluted":true}}}`;
      const error = rejection(() => intake()(signed(body)));
      expect(error.status).toBe(400);
      expect(error.detail).toContain(forbidden);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it.each([
    ['no event', { createdAt: 1, data: {} }],
    ['an empty event', { event: '', data: {} }],
    ['data that is not an object', { event: 'NEW_PARTICIPANT_ADDED', data: [] }],
  ])('refuses a signed body with %s with 400', (_case, body) => {
    expect(rejection(() => intake()(signed(JSON.stringify(body)))).status).toBe(400);
  });

  it('records a verified delivery of an unknown event as not understood', () => {
    const body = JSON.stringify({
      event: 'PARTICIPANT_DID_SOMETHING_NEW',
      createdAt: 1,
      data: { id: 'zz1' },
    });
    const event = intake()(signed(body));
    expect(event.understood).toBe(false);
    expect(event.providerEventType).toBe('PARTICIPANT_DID_SOMETHING_NEW');
    expect(event.entity).toEqual({ fqdn: null, id: null, sequence: null });
    expect(event.dedupeKey).toMatch(
      /^growsurf:-:PARTICIPANT_DID_SOMETHING_NEW:sha256:[0-9a-f]{64}$/,
    );
  });
});
