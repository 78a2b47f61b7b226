import type { EventStore } from '../event-store/event-store.port';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import type { WebhookReceived } from '../ledger/webhook-received';
import { ingestWebhook } from '../webhooks/ingest-webhook';
import { ledgerProjection } from '../projections/rewards/ledger.projection';
import { projectedUnsubscribeLookup } from './projected-unsubscribe-lookup';
import type { Projection } from '../projections/projection';
import { ProjectionRunner } from './projection-runner';
import { ReadModels } from './read-models';
import { reviewRequestsProjection } from '../projections/reviews/review-requests.projection';
import { ReadModelStore } from './storage/read-model-store';
import { growsurf, talkable, wix } from '../projections/testing/recorded-webhooks';
import { unsubscribesProjection } from '../projections/unsubscribes/unsubscribes.projection';

const projections: Projection[] = [
  ledgerProjection({ defaultCurrencies: new Map([['*', 'USD']]) }),
  reviewRequestsProjection,
  unsubscribesProjection,
];

const history: WebhookReceived[] = [
  talkable('referral-approved'),
  talkable('reward-voided'),
  talkable('reward-unpaid'),
  talkable('reward-paid'),
  talkable('offer-signup'),
  talkable('post-share'),
  talkable('unsubscribe'),
  growsurf('new-participant-referred'),
  growsurf('participant-reached-goal-approved'),
  growsurf('participant-reached-goal-pending'),
  growsurf('participant-reached-goal-referee'),
  growsurf('campaign-ended'),
  wix('referred-friend-updated'),
  wix('referred-friend-created'),
  wix('review-request-created'),
  wix('review-request-updated'),
];

const BOB = 'talkable:test-site:referrer@example.com';
const page = { limit: 50, offset: 0 };

describe('ProjectionRunner on the SQLite event store', () => {
  let store: EventStore;
  const open: { close(): void }[] = [];
  const runners: ProjectionRunner[] = [];

  beforeEach(() => {
    store = openSqliteEventStore({ inMemory: true });
  });
  afterEach(async () => {
    for (const runner of runners.splice(0)) await runner.stop();
    for (const db of open.splice(0)) db.close();
    await store.close();
  });

  async function append(...events: WebhookReceived[]): Promise<bigint> {
    let last = 0n;
    for (const event of events)
      last = (await ingestWebhook(store, () => event, request())).position;
    return last;
  }

  function readModels(): { store: ReadModelStore; queries: ReadModels } {
    const readModelStore = new ReadModelStore({ inMemory: true });
    open.push(readModelStore);
    return { store: readModelStore, queries: new ReadModels(readModelStore) };
  }

  function runner(
    readModelStore: ReadModelStore,
    list = projections,
    batchSize?: number,
  ): ProjectionRunner {
    const created = new ProjectionRunner({
      store,
      readModels: readModelStore,
      projections: list,
      batchSize,
    });
    runners.push(created);
    return created;
  }

  it('projects appended events, history first and then live ones', async () => {
    await append(...history.slice(0, 8));
    const models = readModels();
    const running = runner(models.store);
    await running.start();
    const head = await append(...history.slice(8));
    expect(await running.waitForPosition(head, 2000)).toBe(true);
    const bob = models.queries.getParticipant(BOB);
    expect(bob?.advocate.referrals).toMatchObject({ total: 1, approved: 1 });
    expect(bob?.advocate.balances).toEqual([
      {
        currency: 'USD',
        currencyAssumed: false,
        pending: '0.00',
        approved: '0.00',
        paid: '10.00',
        voided: '5.00',
      },
    ]);
    expect(models.queries.getCampaign('growsurf:ct8f71:ct8f71')?.campaign.status).toBe('ended');
    expect(models.queries.listRewards('growsurf:ct8f71:x9a7uu', page).items).toEqual([
      expect.objectContaining({
        status: 'approved',
        value: expect.objectContaining({ amount: '25.00' }),
      }),
    ]);
    expect(running.status().every((s) => s.checkpoint === head && s.lag === 0n)).toBe(true);
  });

  it('resumes from its checkpoint after a restart without applying an event twice', async () => {
    const models = readModels();
    const first = runner(models.store);
    await first.start();
    const firstHead = await append(talkable('offer-signup'), talkable('post-share'));
    expect(await first.waitForPosition(firstHead, 2000)).toBe(true);
    await first.stop();

    const head = await append(talkable('post-share', { dedupeKey: 'second share' }));
    const second = runner(models.store);
    await second.start();
    expect(await second.waitForPosition(head, 2000)).toBe(true);
    expect(models.queries.getParticipant(BOB)?.participant.shares).toBe(2);
    expect(second.status().find((s) => s.projection === 'ledger')?.handled).toBe(3n);
  });

  it('records an event a projection throws on, and the other projections carry on', async () => {
    const failing: Projection = {
      name: 'fragile',
      version: 1,
      collections: ['fragile'],
      plan: (event) => {
        if (event.webhook.providerEventType === 'unsubscribe_web_hook')
          throw new Error('cannot cope');
        return { kind: 'ignored' };
      },
    };
    const models = readModels();
    const running = runner(models.store, [failing, ...projections]);
    await running.start();
    const unsubscribe = await append(talkable('unsubscribe'));
    const head = await append(talkable('offer-signup'));
    expect(await running.waitForPosition(head, 2000)).toBe(true);
    const fragile = running.status().find((s) => s.projection === 'fragile');
    expect(fragile).toMatchObject({ checkpoint: head, failed: 1n, state: 'running' });
    expect(fragile?.errors).toEqual([
      expect.objectContaining({ position: unsubscribe, message: 'cannot cope' }),
    ]);
    expect(models.queries.isUnsubscribed('test-site', 'Referred@Example.com')).toBe(true);
  });

  it('answers check-unsubscribe with the unsubscribes recorded before the question', async () => {
    const models = readModels();
    const running = runner(models.store);
    await running.start();
    await append(talkable('unsubscribe'));
    const question = await append(talkable('check-unsubscribe'));
    const lookup = projectedUnsubscribeLookup(running, models.queries);
    expect(await lookup.isUnsubscribed('test-site', 'referred@example.com', question)).toBe(true);
    expect(await lookup.isUnsubscribed('test-site', 'referrer@example.com', question)).toBe(false);
  });

  it('rebuilding from position 0 gives byte-identical answers to the live read models', async () => {
    const live = readModels();
    const liveRunner = runner(live.store, projections, 2);
    await liveRunner.start();
    let head = 0n;
    for (const event of history) head = await append(event);
    expect(await liveRunner.waitForPosition(head, 2000)).toBe(true);

    const rebuilt = readModels();
    const rebuildRunner = runner(rebuilt.store);
    await rebuildRunner.start();
    expect(await rebuildRunner.waitForPosition(head, 2000)).toBe(true);

    const answers = (q: ReadModels) =>
      JSON.stringify(
        {
          bob: q.getParticipant(BOB),
          richard: q.getParticipant('growsurf:ct8f71:x9a7uu'),
          leaderboard: q.listLeaderboard('growsurf:ct8f71:ct8f71', page),
          campaigns: q.listCampaigns(page),
          referrals: q.listReferrals({}, page),
          history: q.getRewardHistory(BOB),
          friend: q.getEntityHistory(
            'wix:a9f8e7d6-0000-4000-8000-000000000001:b7e2c1d0-3f4a-4c5b-8d6e-7f8091a2b3c4',
          ),
          reviews: q.listReviewRequests('a9f8e7d6-0000-4000-8000-000000000001', page),
          notUnderstood: q.listNotUnderstood(page),
        },
        (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
      );
    expect(answers(rebuilt.queries)).toBe(answers(live.queries));
    expect(live.queries.getRewardHistory(BOB).map((e) => e.outcome)).toContain('applied');
  });

  it('catches up on a long history in batches and applies every event once', async () => {
    const shares = Array.from({ length: 2500 }, (_, n) =>
      talkable('post-share', { dedupeKey: `share ${n}` }),
    );
    const head = await append(...shares);
    const models = readModels();
    const running = runner(models.store);
    await running.start();
    expect(await running.waitForPosition(head, 10_000)).toBe(true);
    expect(models.queries.getParticipant(BOB)?.participant.shares).toBe(2500);
    expect(models.queries.getEntityHistory(BOB)).toHaveLength(2500);
  });

  it('gives up waiting for a position that is not reached, with false', async () => {
    const models = readModels();
    const running = runner(models.store);
    await running.start();
    expect(await running.waitForPosition(99n, 20)).toBe(false);
  });

  it('replays a projection whose code version changed, from the start', async () => {
    const models = readModels();
    const v1 = runner(models.store);
    await v1.start();
    const head = await append(talkable('offer-signup'), talkable('post-share'));
    expect(await v1.waitForPosition(head, 2000)).toBe(true);
    await v1.stop();
    const [ledger, ...rest] = projections;
    const v2 = runner(models.store, [{ ...ledger!, version: 2 }, ...rest]);
    await v2.start();
    expect(await v2.waitForPosition(head, 2000)).toBe(true);
    expect(models.queries.getParticipant(BOB)?.participant.shares).toBe(1);
    expect(v2.status()[0]).toMatchObject({ version: 2, handled: 2n });
  });
});

function request() {
  return {
    rawBody: Buffer.from(''),
    headers: {},
    params: {},
    receivedAt: new Date('2024-07-01T00:00:00Z'),
  };
}
