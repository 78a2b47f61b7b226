/**
 * A seeded, bounded run of hostile requests against every route on loopback,
 * as an attacker would send them: forged and misplaced signatures, JWT tricks,
 * malformed and oversized bodies, wrong content types, path, method and query
 * tricks. Every answer must be a 4xx problem (or the documented 503 for an
 * unconfigured source), nothing may be recorded, and no secret may appear in
 * an answer, a log line or a file of DATA_DIR.
 */
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signGrowsurf } from '../../src/providers/growsurf/growsurf-sign';
import { signJwt } from '../../src/providers/wix/wix-sign';
import {
  growsurfDelivery,
  growsurfFixture,
  refirDelivery,
  standardDelivery,
  talkableDelivery,
  talkableFixture,
  wixDelivery,
  wixFixture,
} from '../support/deliveries';
import { get, post as postDelivery, tamperBody, type HttpDelivery } from '../support/http';
import { seedHistory } from '../support/seed-history';
import { recordedDeliveries, storeOf } from '../support/log';
import { startApp, type RunningApp } from '../support/start-app';
import { testKeyPair, testWixPublicKeyPem } from '../support/test-keys';
import { TEST_SECRETS } from '../support/test-secrets';

const SEED = 20261201;
const BODY_LIMIT = 64 * 1024;
const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };
const SECRETS = Object.entries(TEST_SECRETS)
  .filter(([name]) => name !== 'standardSource')
  .map(([, value]) => value);

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Attack {
  readonly family: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** The documented 503 (an unconfigured source) is allowed for this one. */
  readonly may503?: boolean;
}

const post = (family: string, delivery: HttpDelivery, extra: Partial<Attack> = {}): Attack => ({
  family,
  method: 'POST',
  path: delivery.path,
  headers: delivery.headers,
  body: delivery.body,
  ...extra,
});

const base64url = (value: string): string => Buffer.from(value).toString('base64url');

function attacks(next: () => number): Attack[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const growsurf = growsurfFixture('participant-reached-goal-referrer') as Record<string, unknown>;
  const growsurfText = JSON.stringify(growsurf);
  const list: Attack[] = [];
  // Talkable's legacy webhooks sign nothing but carry the site's key: forged by changing the key.
  const talkableKeyAt = 'key=test-talkable-'.length;
  list.push(
    ...Array.from({ length: 10 }, (_, i) =>
      post(
        'forged',
        tamperBody(talkableDelivery(talkableFixture('referral-approved')), talkableKeyAt + i),
      ),
    ),
  );
  const valid: (() => HttpDelivery)[] = [
    () => wixDelivery(wixFixture('referral-event-created-reward')),
    () => growsurfDelivery(growsurf),
    () => standardDelivery({ type: 'referral.created', data: { id: 'r1' } }, 'msg_hostile'),
  ];

  // Forged: one changed byte anywhere in a signed delivery.
  for (let i = 0; i < 60; i++) {
    const delivery = pick(valid)();
    const length = Buffer.byteLength(delivery.body);
    list.push(post('forged', tamperBody(delivery, Math.floor(next() * length))));
  }
  // Expired or future signatures.
  for (const skewMs of [-3_600_000, -301_000, 3_600_000]) {
    list.push(post('expired', growsurfDelivery(growsurf, { timestampMs: Date.now() + skewMs })));
    list.push(
      post(
        'expired',
        standardDelivery({ type: 'referral.created' }, `msg_old_${skewMs}`, {
          timestampSeconds: Math.floor((Date.now() + skewMs) / 1000),
        }),
      ),
    );
  }
  // Signed with a key that is not ours, or with ours over other bytes.
  list.push(
    post('wrong key', growsurfDelivery(growsurf, { secret: 'test-growsurf-not-the-secret' })),
  );
  list.push(
    post('wrong key', talkableDelivery(talkableFixture('referral-approved'), { key: 'nope' })),
  );
  list.push(
    post('wrong key', {
      path: '/webhooks/growsurf',
      headers: {
        'content-type': 'application/json',
        'growsurf-signature': signGrowsurf('{}', TEST_SECRETS.growsurfSecret, Date.now()),
      },
      body: growsurfText,
    }),
  );
  // JWT tricks on Wix: alg none, HS256 keyed with the public key, garbage parts.
  const claims = { data: '{}', iat: Math.floor(Date.now() / 1000) };
  const unsigned = `${base64url('{"alg":"none","typ":"JWT"}')}.${base64url(JSON.stringify(claims))}.`;
  const hsInput = `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify(claims))}`;
  const hs = `${hsInput}.${createHmac('sha256', testWixPublicKeyPem()).update(hsInput).digest('base64url')}`;
  const otherKey = signJwt(claims, testKeyPair('not-the-app').privateKey);
  for (const token of [unsigned, hs, otherKey, 'a.b.c', '....', 'x'.repeat(2000)]) {
    list.push(
      post('jwt', {
        path: '/webhooks/wix',
        headers: { 'content-type': 'text/plain' },
        body: token,
      }),
    );
  }
  // Misplaced secrets: in a path, a query string, a header of the wrong provider.
  for (const secret of SECRETS) {
    list.push(
      post(
        'misplaced secret',
        { path: `/webhooks/standard/${encodeURIComponent(secret)}`, headers: {}, body: '{}' },
        { may503: true },
      ),
    );
    list.push(
      post('misplaced secret', {
        path: `/webhooks/growsurf?key=${encodeURIComponent(secret)}`,
        headers: { 'content-type': 'application/json', 'growsurf-signature': secret },
        body: growsurfText,
      }),
    );
    list.push({
      family: 'misplaced secret',
      method: pick(['GET', 'PUT', 'DELETE']),
      path: `/webhooks/refir/${TEST_SECRETS.refirToken}/${encodeURIComponent(secret)}`,
      headers: {},
    });
  }
  // Malformed bodies, some validly signed so that parsing is reached.
  const malformed = [
    '',
    '{',
    '[]',
    'null',
    '"text"',
    '{"a":1,}',
    `${'['.repeat(200)}${']'.repeat(200)}`,
    `{"a":${'{"a":'.repeat(100)}1${'}'.repeat(101)}`,
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
  ];
  for (const text of malformed) {
    list.push(post('malformed', growsurfDelivery(text)));
    list.push(post('malformed', refirDelivery({}), { body: text }));
    list.push(post('malformed', standardDelivery({}, 'msg_malformed'), { body: text }));
  }
  list.push(post('malformed', growsurfDelivery(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))));
  // Wrong content types.
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', '']) {
    const delivery = growsurfDelivery(growsurf);
    list.push(
      post('content type', { ...delivery, headers: { ...delivery.headers, 'content-type': type } }),
    );
  }
  // Oversized bodies (the limit is lowered for this run).
  list.push(post('oversized', growsurfDelivery(`{"a":"${'x'.repeat(BODY_LIMIT + 10)}"}`)));
  list.push(post('oversized', refirDelivery({ pad: 'y'.repeat(BODY_LIMIT * 2) })));
  // Paths and methods.
  const paths = [
    '/webhooks',
    '/webhooks/unknown',
    '/webhooks/growsurf/extra',
    '/webhooks/%2e%2e/participants',
    '/webhooks//growsurf',
    '/participants/growsurf/ct8f71',
    '/participants/../projections/status',
    '/projections/rebuild',
    '/events/not-a-uuid/verification',
  ];
  for (const path of paths) {
    list.push({
      family: 'path',
      method: pick(['GET', 'PUT', 'PATCH', 'DELETE']),
      path,
      headers: read,
    });
  }
  // Query values out of range or out of place, on every read route.
  const routes = [
    '/referrals',
    '/campaigns',
    '/campaigns/growsurf/ct8f71/ct8f71/leaderboard',
    '/participants/growsurf/ct8f71/x9a7uu',
    '/participants/growsurf/ct8f71/x9a7uu/history',
    '/review-requests/e2e-instance-1',
  ];
  const values = ['1e25', '-1', '9223372036854775808', 'NaN', '0x1f', '1.5', ' 7', '', '١٢'];
  for (let i = 0; i < 80; i++) {
    const name = pick(['offset', 'limit', 'waitMs', 'atPosition', '__proto__', 'constructor']);
    list.push({
      family: 'query',
      method: 'GET',
      path: `${pick(routes)}?${name}=${encodeURIComponent(pick(values))}`,
      headers: read,
    });
  }
  // Rebuild bodies that are not exactly what the route documents.
  for (const body of [
    '{"__proto__":{"projections":["ledger"]}}',
    '{"projections":[]}',
    '{"projections":"ledger"}',
    '{"projections":["ledger"],"extra":1}',
    '[1]',
  ]) {
    list.push({
      family: 'rebuild',
      method: 'POST',
      path: '/projections/rebuild',
      headers: { ...admin, 'content-type': 'application/json' },
      body,
    });
  }
  // Keys where they do not belong.
  list.push({ family: 'auth', method: 'GET', path: '/projections/status', headers: read });
  list.push({
    family: 'auth',
    method: 'GET',
    path: '/referrals',
    headers: { authorization: `Bearer ${TEST_SECRETS.growsurfSecret}` },
  });
  return list;
}

describe('hostile input on every route (seeded, bounded)', () => {
  let app: RunningApp;
  const logged: string[] = [];
  const writes: jest.SpyInstance[] = [];

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream) as (
        chunk: string | Uint8Array,
        ...rest: unknown[]
      ) => boolean;
      const capture = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return original(chunk, ...rest);
      };
      writes.push(jest.spyOn(stream, 'write').mockImplementation(capture));
    }
    app = await startApp({
      env: { LOG_LEVEL: 'debug', WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) },
    });
    // A log with history, projected, so that "nothing changed" has something to hold.
    let position = '0';
    for (const { delivery } of seedHistory()) {
      const answer = await postDelivery(app.url, delivery);
      expect(answer.status).toBe(200);
      position = String(answer.body.position);
    }
    expect((await get(app.url, `/referrals?atPosition=${position}`, read)).status).toBe(200);
  });
  afterAll(async () => {
    for (const write of writes) write.mockRestore();
    await app.dispose();
  });

  it('answers every attack with a 4xx problem, records nothing and repeats no secret', async () => {
    const before = await recordedDeliveries(storeOf(app));
    expect(before.length).toBeGreaterThan(10);
    const statusBefore = await fetch(`${app.url}/projections/status`, { headers: admin });
    const checkpointsBefore = JSON.stringify(
      ((await statusBefore.json()) as { projections?: unknown }).projections ?? null,
    );
    const list = attacks(random(SEED));
    expect(list.length).toBeGreaterThan(200);
    const failures: string[] = [];
    for (const attack of list) {
      const response = await fetch(`${app.url}${attack.path}`, {
        method: attack.method,
        headers: attack.headers,
        body: attack.method === 'GET' ? undefined : attack.body,
      });
      const text = await response.text();
      const allowed = response.status >= 400 && response.status < 500;
      const documented503 = attack.may503 === true && response.status === 503;
      const problem = (response.headers.get('content-type') ?? '').includes(
        'application/problem+json',
      );
      const leaked = SECRETS.find((secret) => text.includes(secret));
      if (!(allowed || documented503) || !problem || leaked !== undefined) {
        failures.push(
          `${attack.family} ${attack.method} ${attack.path.slice(0, 60)}: ${response.status} ${problem ? 'problem' : 'not problem+json'}${leaked === undefined ? '' : ' LEAKED A SECRET'}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(await recordedDeliveries(storeOf(app))).toHaveLength(before.length);
    const statusAfter = await fetch(`${app.url}/projections/status`, { headers: admin });
    expect(
      JSON.stringify(((await statusAfter.json()) as { projections?: unknown }).projections ?? null),
    ).toBe(checkpointsBefore);

    const logText = logged.join('');
    for (const secret of SECRETS) expect(logText).not.toContain(secret);
    for (const name of readdirSync(app.dataDir, { recursive: true }) as string[]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(app.dataDir, name));
      } catch {
        continue; // a folder
      }
      for (const secret of SECRETS)
        expect({ file: name, found: bytes.includes(secret) }).toEqual({ file: name, found: false });
    }
  });
});
