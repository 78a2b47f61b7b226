/**
 * Talkable's unsubscribe check through the running service: answered from the
 * per-address marker streams, with unsubscribes recorded before markers
 * existed still counted, and the markers (non-webhook events, often the last
 * events of the log) invisible to projections, lag and rebuilds.
 */
import { randomUUID } from 'node:crypto';
import { ingestWebhook } from '../../src/webhooks/ingest-webhook';
import { talkable, webhook } from '../../src/projections/testing/recorded-webhooks';
import { talkableDelivery } from '../support/deliveries';
import { get, post } from '../support/http';
import { closeWithin, describeOnEachLog } from '../support/logs';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

/** Each address is this run's own: a real server is shared by every suite of the run. */
const address = (): string => `unsub-${randomUUID()}@example.com`;

const unsubscribe = (email: string) =>
  talkableDelivery({
    site: 'test-site',
    type: 'unsubscribe_web_hook',
    payload: { person: { email, unsubscribed_at: '2021-05-01T10:00:00.000-08:00' } },
  });
/** A different email_type each time: each is a new question, not a retry. */
const check = (email: string) =>
  talkableDelivery({
    site: 'test-site',
    type: 'check_unsubscribe_web_hook',
    payload: { recipient: { email }, email_type: `friend_rewards_paid-${randomUUID()}` },
  });

interface ProjectionsStatus {
  projections: { projection: string; lag?: string; state: string }[];
  rebuild?: { state: string };
}

async function statusOf(app: RunningApp): Promise<ProjectionsStatus> {
  return (await get(app.url, '/projections/status', admin)).body as unknown as ProjectionsStatus;
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeOnEachLog("Talkable's unsubscribe check", (log) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ log });
  });
  afterAll(() => app.dispose());

  it('counts an unsubscribe acknowledged before the check, for that address only', async () => {
    const email = address();
    expect((await post(app.url, check(email))).body).toMatchObject({ unsubscribed: false });
    expect((await post(app.url, unsubscribe(email.toUpperCase()))).status).toBe(200);
    expect((await post(app.url, check(email))).body).toMatchObject({
      status: 'recorded',
      unsubscribed: true,
    });
    expect((await post(app.url, check(address()))).body).toMatchObject({ unsubscribed: false });
  });

  it('counts an unsubscribe recorded without a marker (by a release before markers) after a restart', async () => {
    const email = address();
    await app.stop();
    // What an earlier release left in the log: the delivery, no marker.
    const store = log.openStore(app.dataDir);
    const earlier = webhook(
      'talkable',
      talkable('unsubscribe').providerEventType,
      { person: { email, unsubscribed_at: '2021-05-01T10:00:00.000-08:00' } },
      {
        tenantId: 'test-site',
        dedupeKey: `talkable:test-site:unsubscribe:${email}`,
        verification: { method: 'talkable-key', signed: false, keyId: 'default' },
      },
    );
    await ingestWebhook(store, () => earlier, {
      rawBody: Buffer.from(''),
      headers: {},
      params: {},
      receivedAt: new Date(),
    });
    await closeWithin(store);

    app = await startApp({ log, dataDir: app.dataDir });
    // Right after the start (the backfill may still run) and once it has surely finished.
    expect((await post(app.url, check(email))).body).toMatchObject({ unsubscribed: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await post(app.url, check(email))).body).toMatchObject({ unsubscribed: true });
  });
});

describeOnEachLog(
  'Talkable unsubscribe markers beside the projections',
  { needsOwnLog: 'waits for a lag of 0, which other suites writing would keep from holding' },
  (log) => {
    let app: RunningApp;
    beforeAll(async () => {
      app = await startApp({ log });
    });
    afterAll(() => app.dispose());

    it('keeps projections caught up and rebuilds finishing when an unsubscribe is the last delivery', async () => {
      // Its marker is then the last event of the log, in a stream projections never see.
      expect((await post(app.url, unsubscribe(address()))).status).toBe(200);
      const caughtUp = await eventually(
        () => statusOf(app),
        (status) => status.projections.every((p) => p.lag === undefined || p.lag === '0'),
      );
      expect(caughtUp.projections.map((p) => [p.projection, p.lag ?? '0'])).toEqual(
        caughtUp.projections.map((p) => [p.projection, '0']),
      );

      const started = await post(app.url, {
        path: '/projections/rebuild',
        headers: { ...admin, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(started.status).toBe(202);
      const rebuilt = await eventually(
        () => statusOf(app),
        (status) => status.rebuild?.state !== 'building',
      );
      expect(rebuilt.rebuild?.state).toBe('switched');
    });
  },
);
