import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { talkableDelivery, talkableFixture } from '../support/deliveries';
import { get, post } from '../support/http';
import { describeOnEachLog } from '../support/logs';
import { seedHistory } from '../support/seed-history';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

const QUERIES = [
  '/participants/growsurf/ct8f71/x9a7uu',
  '/participants/growsurf/ct8f71/uxjbxu',
  '/participants/talkable/test-site/referrer@example.com',
  '/participants/growsurf/ct8f71/x9a7uu/rewards',
  '/campaigns',
  '/campaigns/growsurf/ct8f71/ct8f71',
  '/campaigns/growsurf/ct8f71/ct8f71/leaderboard',
  '/referrals?campaign=growsurf:ct8f71:ct8f71',
  '/review-requests/e2e-instance-1',
];

/** Byte-equal answers before and after a rebuild hold only while nothing else writes into the log. */
const ownLog = {
  needsOwnLog: 'compares answers byte for byte, which other suites writing would change',
};

describeOnEachLog('queries over the projected read models', ownLog, (log) => {
  let app: RunningApp;
  let lastPosition = '0';

  beforeAll(async () => {
    app = await startApp({ log });
    for (const { delivery } of seedHistory()) {
      const answer = await post(app.url, delivery);
      expect(answer.status).toBe(200);
      lastPosition = answer.body.position as string;
    }
  });
  afterAll(() => app.dispose());

  const query = (path: string, headers = read) =>
    get(app.url, `${path}${path.includes('?') ? '&' : '?'}atPosition=${lastPosition}`, headers);

  it("shows an advocate's approved reward once although it arrived pending, then approved", async () => {
    const answer = await query('/participants/growsurf/ct8f71/x9a7uu');
    expect(answer.status).toBe(200);
    const rewards = answer.body.rewards as { providerRewardId: string; status: string }[];
    expect(rewards.filter((reward) => reward.providerRewardId === 'k3v9pd')).toHaveLength(1);
    expect(rewards.find((reward) => reward.providerRewardId === 'k3v9pd')?.status).toBe('approved');
    expect(JSON.stringify(answer.body.advocate)).toContain('"25.00"');
  });

  it('answers the same bytes after the read models are thrown away and rebuilt from the log', async () => {
    const before = await Promise.all(QUERIES.map(async (path) => (await query(path)).text));
    await app.stop();
    for (const suffix of ['', '-wal', '-shm']) {
      rmSync(join(app.dataDir, `read-models.sqlite${suffix}`), { force: true });
    }
    app = await startApp({ log, dataDir: app.dataDir });
    const after = await Promise.all(QUERIES.map(async (path) => (await query(path)).text));
    expect(after).toEqual(before);
  });

  it('needs a read key, and an admin key for operations', async () => {
    expect((await get(app.url, '/participants/growsurf/ct8f71/x9a7uu')).status).toBe(401);
    expect(
      (await get(app.url, '/participants/growsurf/ct8f71/x9a7uu', { authorization: 'Bearer nope' }))
        .status,
    ).toBe(401);
    expect((await get(app.url, '/projections/status', read)).status).toBe(403);
    expect((await get(app.url, '/projections/status', admin)).status).toBe(200);
  });

  it('answers 400 for invalid query parameters and 404 for unknown participants', async () => {
    expect((await get(app.url, '/campaigns?limit=0', read)).status).toBe(400);
    expect((await get(app.url, '/campaigns?atPosition=abc', read)).status).toBe(400);
    expect((await get(app.url, '/referrals?status=paid', read)).status).toBe(400);
    expect((await get(app.url, '/participants/nope/x/y', read)).status).toBe(400);
    expect((await get(app.url, '/participants/growsurf/ct8f71/nobody', read)).status).toBe(404);
  });

  it('reports every projection caught up (lag 0) when the log ends with events the projections never read', async () => {
    // An unsubscribe is followed by its marker event (not a delivery) on both logs.
    const unsubscribe = await post(app.url, talkableDelivery(talkableFixture('unsubscribe')));
    expect(unsubscribe.status).toBe(200);
    // An embedded log has no other writer; a server's log may end with another application's event.
    if (log.name !== 'sqlite') await log.appendForeignEvent(app.dataDir);
    const reached = await get(
      app.url,
      `/campaigns?atPosition=${String(unsubscribe.body.position)}&waitMs=5000`,
      read,
    );
    expect(reached.status).toBe(200);
    expect(await lagsOnceSettled()).toEqual(['0', '0', '0']);
    // A restarted service takes the head of the log afresh.
    await app.stop();
    app = await startApp({ log, dataDir: app.dataDir });
    expect(await lagsOnceSettled()).toEqual(['0', '0', '0']);
  });

  /** Every projection's lag, once all are 0 or 5 s have passed. */
  async function lagsOnceSettled(): Promise<string[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const status = await get(app.url, '/projections/status', admin);
      const lags = (status.body.projections as { lag?: string }[]).map((p) => String(p.lag));
      if (lags.every((lag) => lag === '0') || Date.now() > deadline) return lags;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('says when the read models have not reached a position yet', async () => {
    const answer = await get(app.url, '/campaigns?atPosition=999999999&waitMs=50', read);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('1');
  });
});
