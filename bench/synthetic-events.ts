/**
 * A realistic mix of stored deliveries for the rebuild and query benchmarks,
 * built from the provider fixtures with varied ids (no signing: these are
 * written straight to the log, as intake would have written them).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EventData, EventStore, JsonObject } from '../src/event-store/event-store.port';
import {
  openSqliteEventStore,
  type SqliteEventStore,
} from '../src/event-store/sqlite/sqlite-event-store';
import type { ProjectionStatus } from '../src/read-models/projection-runner';
import type { ReadModelStore } from '../src/read-models/storage/read-model-store';
import {
  deliveryStreamName,
  uuidV5,
  webhookEventType,
  WEBHOOK_EVENT_SCHEMA,
  type Provider,
  type WebhookReceived,
} from '../src/ledger/webhook-received';
import { storedWebhookData } from '../src/providers/stored-webhook';
import { asDelivered } from '../src/projections/testing/recorded-webhooks';

import { SEALED_EVENT_SCHEMA, sealDelivery } from '../src/erasure/sealed-delivery';
import { newKey } from '../src/erasure/sealing';
import { SubjectKeyStore } from '../src/erasure/subject-key-store';

type Json = Record<string, unknown>;

/** BENCH_SEALED=1: the log as a service with SUBJECT_MASTER_KEY writes it (schema 2, docs/erasure.md). */
const SEALED = process.env.BENCH_SEALED === '1';
let benchKeys: SubjectKeyStore | undefined;
const keysForBench = (): SubjectKeyStore =>
  (benchKeys ??= SubjectKeyStore.open({ file: ':memory:', masterKey: newKey() }));
const fixturesDir = join(__dirname, '..', 'src', 'providers');
const load = (provider: string, name: string): Json =>
  JSON.parse(readFileSync(join(fixturesDir, provider, 'fixtures', `${name}.json`), 'utf8')) as Json;

const GROWSURF_REWARD = load('growsurf', 'participant-reached-goal-approved');
const GROWSURF_PARTICIPANT = load('growsurf', 'new-participant-referred');
const TALKABLE_REFERRAL = load('talkable', 'referral-approved');
const TALKABLE_REWARD = load('talkable', 'reward-paid');
const WIX_FRIEND = load('wix', 'referred-friend-updated');
const WIX_REVIEW = load('wix', 'review-request-updated');

export const ADVOCATES = 20_000;
export const CAMPAIGNS = 40;

/** Deterministic pseudo-random choice, so every run writes the same log. */
function pick(n: number, salt: number, modulo: number): number {
  return Math.abs((Math.imul(n ^ salt, 2654435761) >>> 0) % modulo);
}

export const campaignOf = (n: number): string => `cmp${pick(n, 7, CAMPAIGNS)}`;
export const advocateOf = (n: number): string => `adv${pick(n, 13, ADVOCATES)}`;

function event(
  provider: Provider,
  type: string,
  dedupeKey: string,
  tenantId: string,
  entity: WebhookReceived['entity'],
  payload: Json,
): { stream: string; data: EventData } {
  const received: WebhookReceived = {
    provider,
    source: provider,
    providerEventType: type,
    dedupeKey,
    tenantId,
    entity,
    receivedAt: '2026-11-01T12:00:00.000Z',
    understood: true,
    payload: payload as JsonObject,
    // The body each provider really sends for this payload (a Wix JWT, a Talkable form,
    // GrowSurf's JSON): the log holds what intake stores, and the rebuild reads payloads back.
    ...asDelivered(provider, type, tenantId, payload as JsonObject),
  };
  const id = uuidV5(dedupeKey);
  return {
    stream: deliveryStreamName(provider, dedupeKey),
    data: {
      id,
      type: webhookEventType(provider, type),
      data: SEALED ? sealDelivery(received, id, keysForBench()) : storedWebhookData(received),
      metadata: { schema: SEALED ? SEALED_EVENT_SCHEMA : WEBHOOK_EVENT_SCHEMA },
    },
  };
}

/** Event n of the mix: 40% GrowSurf rewards (pending then approved), 20% GrowSurf signups, 20% Talkable, 15% Wix friends, 5% reviews. */
export function syntheticEvent(n: number): { stream: string; data: EventData } {
  const slot = n % 20;
  const campaign = campaignOf(n);
  const advocate = advocateOf(n);
  if (slot < 8) {
    const rewardId = `rw${Math.floor(n / 2)}`;
    const approved = n % 2 === 1;
    const data = GROWSURF_REWARD.data as Json;
    const payload = {
      ...GROWSURF_REWARD,
      data: {
        ...data,
        participant: {
          ...(data.participant as Json),
          id: advocate,
          email: `${advocate}@example.com`,
        },
        reward: {
          ...(data.reward as Json),
          id: rewardId,
          approved,
          referrerId: advocate,
          referredId: `fr${n}`,
        },
        campaign: { ...(data.campaign as Json), id: campaign },
      },
    };
    return event(
      'growsurf',
      'PARTICIPANT_REACHED_A_GOAL',
      `growsurf:${campaign}:reward:${rewardId}:${approved}`,
      campaign,
      { fqdn: 'growsurf.reward', id: rewardId, sequence: null },
      payload,
    );
  }
  if (slot < 12) {
    const data = GROWSURF_PARTICIPANT.data as Json;
    const id = `fr${n}`;
    const payload = {
      ...GROWSURF_PARTICIPANT,
      data: {
        ...data,
        id,
        email: `${id}@example.com`,
        referredBy: advocate,
        referrer: { ...(data.referrer as Json), id: advocate },
        campaign: { ...(data.campaign as Json), id: campaign },
      },
    };
    return event(
      'growsurf',
      'NEW_PARTICIPANT_ADDED',
      `growsurf:${campaign}:participant:${id}`,
      campaign,
      { fqdn: 'growsurf.participant', id, sequence: null },
      payload,
    );
  }
  if (slot < 16) {
    const site = `site${pick(n, 3, 5)}`;
    if (slot < 14) {
      const payload = structuredClone(TALKABLE_REFERRAL.payload) as Json;
      (payload.referred_origin as Json).id = n;
      (payload.offer as Json).email = `${advocate}@example.com`;
      for (const reward of payload.advocate_rewards as Json[]) reward.id = n * 10 + 1;
      return event(
        'talkable',
        'referral_web_hook',
        `talkable:${site}:referral:${n}`,
        site,
        { fqdn: 'talkable.referral', id: String(n), sequence: null },
        payload,
      );
    }
    const payload = structuredClone(TALKABLE_REWARD.payload) as Json;
    (payload.reward as Json).id = n;
    (payload.person as Json).email = `${advocate}@example.com`;
    return event(
      'talkable',
      'reward_web_hook',
      `talkable:${site}:reward:${n}:Paid`,
      site,
      { fqdn: 'talkable.reward', id: String(n), sequence: null },
      payload,
    );
  }
  const instance = `inst${pick(n, 5, 10)}`;
  const source = slot < 19 ? WIX_FRIEND : WIX_REVIEW;
  const domain = structuredClone<Json>(source);
  const entityId = `ent${pick(n, 11, 50_000)}`;
  const sequence = String(1 + Math.floor(n / 20));
  domain.id = uuidV5(`wix-event-${n}`);
  domain.entityId = entityId;
  domain.entityEventSequence = sequence;
  const body = (domain.updatedEvent as Json).currentEntity as Json;
  body.id = entityId;
  if (source === WIX_FRIEND) body.referringCustomerId = `cust${pick(n, 17, ADVOCATES)}`;
  const payload = {
    eventType: `${String(domain.entityFqdn)}_updated`,
    instanceId: instance,
    identity: null,
    accountInfo: null,
    data: domain,
  };
  return event(
    'wix',
    payload.eventType,
    `wix:${instance}:${String(domain.id)}`,
    instance,
    { fqdn: String(domain.entityFqdn), id: entityId, sequence },
    payload,
  );
}

/** Appends events [0, count) in concurrent batches (group commit does the rest). */
export async function fillLog(
  store: EventStore,
  count: number,
  progress: (done: number) => void,
): Promise<void> {
  const concurrency = 2_000;
  for (let start = 0; start < count; start += concurrency) {
    const end = Math.min(count, start + concurrency);
    await Promise.all(
      Array.from({ length: end - start }, (_, i) => {
        const { stream, data } = syntheticEvent(start + i);
        return store.append(stream, [data], { expectedRevision: 'no_stream' });
      }),
    );
    if (Math.floor(end / 50_000) !== Math.floor(start / 50_000)) progress(end);
  }
}

/** Per projection: handled / not understood / failed, so a mix the projections ignore shows up. */
export function describeStatus(statuses: readonly ProjectionStatus[]): string {
  return statuses
    .map(
      (s) =>
        `${s.projection}: ${s.handled} handled, ${s.notUnderstood} not understood, ${s.failed} failed (${s.state})`,
    )
    .join('; ');
}

/** Documents per read-model collection (participants, campaigns, ...). */
export function describeCollections(readModels: ReadModelStore): string {
  return readModels.db
    .prepare<[], { collection: string; n: number }>(
      'SELECT collection, COUNT(*) AS n FROM documents GROUP BY collection ORDER BY collection',
    )
    .all()
    .map((row) => `${row.collection} ${row.n}`)
    .join(', ');
}

/** fillLog with progress lines and the time it took; returns the log's head position. */
export async function fillLogReported(store: EventStore, count: number): Promise<bigint> {
  const started = Date.now();
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(0);
  await fillLog(store, count, (done) => console.log(`  filled ${done} (${seconds()} s)`));
  console.log(`log filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return (await store.headPosition()) ?? 0n;
}

/**
 * The embedded log at `file` holding events [0, count): filled here, or, with
 * BENCH_LOG_CACHE=<dir>, copied from a log of that size filled by an earlier
 * run (filling 1M deliveries takes minutes; the events are deterministic).
 */
export async function openFilledLog(
  file: string,
  count: number,
): Promise<{ store: SqliteEventStore; head: bigint }> {
  const cacheDir = process.env.BENCH_LOG_CACHE;
  const cached =
    cacheDir === undefined
      ? undefined
      : join(
          cacheDir,
          `events-${count}-schema-${SEALED ? SEALED_EVENT_SCHEMA : WEBHOOK_EVENT_SCHEMA}.sqlite`,
        );
  if (cached !== undefined && existsSync(cached)) {
    copyFileSync(cached, file);
    console.log(`log of ${count} deliveries copied from ${cached}`);
    const store = openSqliteEventStore({ file });
    return { store, head: (await store.headPosition()) ?? 0n };
  }
  let store = openSqliteEventStore({ file });
  const head = await fillLogReported(store, count);
  if (cached !== undefined && cacheDir !== undefined) {
    await store.close();
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(file, `${cached}.partial`);
    renameSync(`${cached}.partial`, cached);
    store = openSqliteEventStore({ file });
  }
  return { store, head };
}
