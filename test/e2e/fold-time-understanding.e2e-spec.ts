/**
 * A delivery an older intake recorded `understood: false` (it did not know the
 * event type then) is in the immutable log with that flag for ever. The
 * projections decide what they can read when they fold, so the service that
 * knows the type projects it, and a rebuild projects it again. The log is the
 * embedded one, written before the service starts, as an older version left it.
 */
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { openSqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { ingestWebhook } from '../../src/webhooks/ingest-webhook';
import { createWebhookIntakes } from '../../src/webhooks/webhook-intakes';
import { growsurfDelivery, growsurfFixture } from '../support/deliveries';
import { get, post } from '../support/http';
import { makeDataDir, startApp, testEnv, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

/** Records the delivery through the real intake, flagged as an intake that did not know its type. */
async function recordAsNotUnderstood(dataDir: string): Promise<string> {
  const delivery = growsurfDelivery(growsurfFixture('participant-reached-goal-approved'));
  const intakes = createWebhookIntakes(loadConfig(testEnv(dataDir)).webhooks);
  const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  try {
    const outcome = await ingestWebhook(
      store,
      (request) => ({ ...intakes.growsurf(request), understood: false }),
      {
        rawBody: Buffer.from(delivery.body),
        headers: delivery.headers,
        params: {},
        receivedAt: new Date(),
      },
    );
    expect(outcome.event.understood).toBe(false);
    return outcome.position.toString();
  } finally {
    await store.close();
  }
}

describe('a delivery recorded understood: false by an older intake (embedded log)', () => {
  let app: RunningApp;
  let position: string;

  beforeAll(async () => {
    const dataDir = makeDataDir();
    position = await recordAsNotUnderstood(dataDir);
    app = await startApp({ dataDir });
  });
  afterAll(() => app.dispose());

  const advocate = () =>
    get(app.url, `/participants/growsurf/ct8f71/x9a7uu?atPosition=${position}`, read);

  it('is projected by the service that reads its type, and reported by no projection', async () => {
    const answer = await advocate();
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      rewards: [expect.objectContaining({ providerRewardId: 'k3v9pd', status: 'approved' })],
    });
    const problems = await get(app.url, '/projections/not-understood', admin);
    expect(problems.body).toMatchObject({ items: [], total: 0 });
  });

  it('is projected again by a rebuild', async () => {
    const before = (await advocate()).text;
    const started = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"projections":["ledger"]}',
    });
    expect(started.status).toBe(202);
    const deadline = Date.now() + 10_000;
    let state: unknown;
    while (Date.now() < deadline) {
      const status = await get(app.url, '/projections/status', admin);
      state = (status.body.rebuild as { state?: string } | undefined)?.state;
      if (state !== 'building') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(state).toBe('switched');
    const after = await advocate();
    expect(after.status).toBe(200);
    expect(after.text).toBe(before);
  });
});
