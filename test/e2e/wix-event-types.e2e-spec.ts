/**
 * Wix names its events with its own prefix (`wix.loyalty.referral.v1.…`):
 * the stored event type names the provider once. Older versions stored
 * `wix.wix.…`; such an event, in the log for ever, reads like a new one in
 * every answer that shows a type. The log is the embedded one, written before
 * the service starts as an older version left it; stream names never change.
 */
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { NO_STREAM, type JsonObject } from '../../src/event-store/event-store.port';
import { openSqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { deliveryStreamName, uuidV5 } from '../../src/ledger/webhook-received';
import { createWebhookIntakes } from '../../src/webhooks/webhook-intakes';
import { wixDelivery, wixFixture } from '../support/deliveries';
import { get, post, type HttpDelivery } from '../support/http';
import { makeDataDir, startApp, testEnv, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };
const TYPE = 'wix.loyalty.referral.v1.referral_event_created';
const CUSTOMER = '/participants/wix/e2e-instance-1/4fb41de4-da9c-4818-b54f-82c955ecc866';

/** Appends the delivery as versions before this one did: type `wix.` + Wix's own event type. */
async function storeWithDoubledType(dataDir: string, delivery: HttpDelivery): Promise<string> {
  const intakes = createWebhookIntakes(loadConfig(testEnv(dataDir)).webhooks);
  const event = intakes.wix({
    rawBody: Buffer.from(delivery.body),
    headers: delivery.headers,
    params: {},
    receivedAt: new Date(),
  });
  const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  try {
    const id = uuidV5(event.dedupeKey);
    await store.append(
      deliveryStreamName(event.provider, event.dedupeKey),
      [
        {
          id,
          type: `wix.${event.providerEventType}`,
          data: event as unknown as JsonObject,
          // Written as version 1 of the service wrote it: the payload stored beside the body.
          metadata: { schema: 1 },
        },
      ],
      { expectedRevision: NO_STREAM },
    );
    return id;
  } finally {
    await store.close();
  }
}

describe('Wix event types, new and as older versions stored them (embedded log)', () => {
  let app: RunningApp;
  let oldId: string;
  let answer: { status: number; body: Record<string, unknown> };

  beforeAll(async () => {
    const dataDir = makeDataDir();
    oldId = await storeWithDoubledType(
      dataDir,
      wixDelivery(wixFixture('referral-event-created-reward')),
    );
    app = await startApp({ dataDir });
    answer = await post(app.url, wixDelivery(wixFixture('referral-event-reward-points')));
    expect(answer.status).toBe(200);
  });
  afterAll(() => app.dispose());

  it('stores a new Wix event under its type with the provider named once', async () => {
    const stored = await get(app.url, `/events/${String(answer.body.eventId)}`, admin);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ type: TYPE });
  });

  it('reads an event stored as wix.wix.… and names it like a new one', async () => {
    const stored = await get(app.url, `/events/${oldId}`, admin);
    expect(stored.body).toMatchObject({ type: TYPE });
    const history = await get(
      app.url,
      `${CUSTOMER}/history?atPosition=${String(answer.body.position)}`,
      read,
    );
    expect(history.status).toBe(200);
    const items = history.body.items as { eventId: string; providerType: string }[];
    expect(items.map((entry) => entry.eventId).sort()).toEqual(
      [oldId, String(answer.body.eventId)].sort(),
    );
    expect(new Set(items.map((entry) => entry.providerType))).toEqual(new Set([TYPE]));
  });
});
