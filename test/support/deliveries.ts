/**
 * Builds signed HTTP deliveries for every provider from fixture files or
 * bodies: the one place tests and benchmarks get a delivery that verifies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpDelivery } from './http';
import { signGrowsurf } from '../../src/providers/growsurf/growsurf-sign';
import { signStandardWebhook } from '../../src/providers/standard/standard-sign';
import { talkableFormBody } from '../../src/providers/talkable/talkable-sign';
import { signWixDelivery } from '../../src/providers/wix/wix-sign';
import { testWixPrivateKey } from './test-keys';
import { TEST_SECRETS } from './test-secrets';

type Json = Record<string, unknown>;
const providersDir = join(__dirname, '..', '..', 'src', 'providers');

/** A fixture as parsed JSON, or (`raw`) as the verbatim text, for malformed originals. */
export function fixture(
  provider: string,
  name: string,
  form: 'json' | 'raw' = 'json',
): Json | string {
  const text = readFileSync(join(providersDir, provider, 'fixtures', `${name}.json`), 'utf8');
  return form === 'raw' ? text : (JSON.parse(text) as Json);
}

export const growsurfFixture = (name: string, form: 'json' | 'raw' = 'json') =>
  fixture('growsurf', name, form);
export const talkableFixture = (name: string, form: 'json' | 'raw' = 'json') =>
  fixture('talkable', name, form);
export const wixFixture = (name: string, form: 'json' | 'raw' = 'json') =>
  fixture('wix', name, form);

export function growsurfDelivery(
  body: Json | string | Buffer,
  options: { secret?: string; timestampMs?: number } = {},
): HttpDelivery {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return {
    path: '/webhooks/growsurf',
    headers: {
      'content-type': 'application/json',
      'growsurf-signature': signGrowsurf(
        raw,
        options.secret ?? TEST_SECRETS.growsurfSecret,
        options.timestampMs ?? Date.now(),
      ),
    },
    body: raw,
  };
}

/** A GrowSurf reward event with its own reward id: a new delivery each time. */
export function uniqueGrowsurfReward(n: number): Json {
  const base = growsurfFixture('participant-reached-goal-referrer') as Json;
  const data = base.data as Json;
  const reward = { ...(data.reward as Json), id: `bench-reward-${process.pid}-${n}` };
  return { ...base, createdAt: Date.now(), data: { ...data, reward } };
}

/** A Talkable legacy delivery: `{site, type, payload}` fixture (payload as JSON or raw text). */
export function talkableDelivery(
  item: Json | string,
  options: { key?: string } = {},
): HttpDelivery {
  const parsed = typeof item === 'string' ? splitRawTalkable(item) : item;
  const payload =
    typeof parsed.payload === 'string' ? parsed.payload : JSON.stringify(parsed.payload);
  return {
    path: '/webhooks/talkable',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: talkableFormBody({
      site: typeof parsed.site === 'string' ? parsed.site : 'test-site',
      type: typeof parsed.type === 'string' ? parsed.type : 'referral_web_hook',
      payload,
      key: options.key ?? TEST_SECRETS.talkableKey,
    }),
  };
}

/** Malformed originals are stored as the bare payload text: wrap them as a referral webhook. */
function splitRawTalkable(text: string): Json {
  return { site: 'test-site', type: 'referral_web_hook', payload: text };
}

/** A Wix delivery: the fixture is the domain event, or `{instanceId, eventType, domainEvent}`. */
export function wixDelivery(item: Json | string): HttpDelivery {
  const wrapped = typeof item !== 'string' && 'domainEvent' in item;
  const domainEvent = wrapped ? (item.domainEvent as Json) : item;
  const instanceId = wrapped ? String(item.instanceId) : 'e2e-instance-1';
  const eventType = wrapped ? String(item.eventType) : eventTypeOf(domainEvent);
  return {
    path: '/webhooks/wix',
    headers: { 'content-type': 'text/plain' },
    body: signWixDelivery(domainEvent, { instanceId, eventType, privateKey: testWixPrivateKey() }),
  };
}

function eventTypeOf(domainEvent: Json | string): string {
  if (typeof domainEvent === 'string') return 'wix.reviews.v2.review_request_created';
  return `${String(domainEvent.entityFqdn)}_${String(domainEvent.slug)}`;
}

export function refirDelivery(body: Json, token: string = TEST_SECRETS.refirToken): HttpDelivery {
  return {
    path: `/webhooks/refir/${token}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export function standardDelivery(
  body: Json,
  id: string,
  options: { source?: string; secret?: string; timestampSeconds?: number } = {},
): HttpDelivery {
  const raw = JSON.stringify(body);
  return {
    path: `/webhooks/standard/${options.source ?? TEST_SECRETS.standardSource}`,
    headers: {
      'content-type': 'application/json',
      ...signStandardWebhook(raw, {
        id,
        timestamp: options.timestampSeconds ?? Math.floor(Date.now() / 1000),
        secret: options.secret ?? TEST_SECRETS.standardSecret,
      }),
    },
    body: raw,
  };
}
