import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../src/event-store/event-store.port';
import type { WebhookReceived } from '../../src/ledger/webhook-received';
import { get, post } from '../support/http';
import { storeOf } from '../support/log';
import { describeOnEachLog } from '../support/logs';
import { seedHistory } from '../support/seed-history';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

interface ExplainedEntry {
  eventId: string;
  outcome: string;
  providerType: string;
  receivedAt: string;
  delivery: string;
  verification: { method: string } | null;
}

/**
 * Test secrets are per jest worker: on a log shared with other workers the
 * first stored GrowSurf delivery may carry a signature this worker cannot check.
 */
const ownLog = { needsOwnLog: "re-verifies the log's first deliveries with this worker's secrets" };
const title = 'audit: explaining balances and re-verifying stored deliveries';

describeOnEachLog(title, ownLog, (log) => {
  let app: RunningApp;
  let lastPosition = '0';

  beforeAll(async () => {
    app = await startApp({ log });
    for (const { delivery } of seedHistory())
      lastPosition = (await post(app.url, delivery)).body.position as string;
  });
  afterAll(() => app.dispose());

  it("explains an advocate's balance by entries that each point at a stored, verified delivery", async () => {
    const answer = await get(
      app.url,
      `/participants/growsurf/ct8f71/x9a7uu/explain?atPosition=${lastPosition}`,
      read,
    );
    expect(answer.status).toBe(200);
    const entries = answer.body.entries as ExplainedEntry[];
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      expect(entry.verification).toMatchObject({ method: 'growsurf-signature' });
      const stored = await get(app.url, entry.delivery, admin);
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({ eventId: entry.eventId, type: entry.providerType });
    }
    expect(JSON.stringify(answer.body.balances)).toContain('"25.00"');
  });

  it('re-verifies stored GrowSurf and Wix deliveries with the keys configured now', async () => {
    for (const provider of ['growsurf', 'wix']) {
      const page = await storeOf(app).readAll({
        maxCount: 1,
        filter: { streamPrefixes: [`webhook-${provider}-`] },
      });
      const eventId = page.events[0]!.id;
      const answer = await get(app.url, `/events/${eventId}/verification`, admin);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ result: 'verified' });
      expect(answer.body.checked).toEqual(expect.any(String));
    }
  });

  it('fails loudly when a stored delivery was tampered with', async () => {
    const page = await storeOf(app).readAll({
      maxCount: 1,
      filter: { streamPrefixes: ['webhook-growsurf-'] },
    });
    const original = page.events[0]!.data as unknown as WebhookReceived;
    const forgedId = randomUUID();
    const forged = {
      ...original,
      delivery: {
        ...original.delivery,
        body: original.delivery.body.replace('"x9a7uu"', '"x9a7uv"'),
      },
    };
    await storeOf(app).append(
      `webhook-growsurf-${forgedId}`,
      [
        {
          id: forgedId,
          type: 'growsurf.PARTICIPANT_REACHED_A_GOAL',
          data: forged as unknown as JsonObject,
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const answer = await get(app.url, `/events/${forgedId}/verification`, admin);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: 'failed', method: 'growsurf-signature' });
  });

  it('says legacy Talkable deliveries cannot be re-verified, and why', async () => {
    const page = await storeOf(app).readAll({
      maxCount: 1,
      filter: { streamPrefixes: ['webhook-talkable-'] },
    });
    const answer = await get(app.url, `/events/${page.events[0]!.id}/verification`, admin);
    expect(answer.body).toMatchObject({ result: 'not-verifiable', method: 'talkable-key' });
  });

  it('keeps raw deliveries behind the admin key', async () => {
    const page = await storeOf(app).readAll({
      maxCount: 1,
      filter: { streamPrefixes: ['webhook-'] },
    });
    expect((await get(app.url, `/events/${page.events[0]!.id}`, read)).status).toBe(403);
    expect((await get(app.url, `/events/${randomUUID()}`, admin)).status).toBe(404);
  });
});
