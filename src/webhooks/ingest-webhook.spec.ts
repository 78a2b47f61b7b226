import { startEsdbEmulator, type EsdbEmulator } from '../../test/support/esdb-emulator';
import type { EventStore } from '../event-store/event-store.port';
import { connectEventStoreDb } from '../event-store/eventstoredb/eventstoredb-event-store';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import type { WebhookReceived } from '../ledger/webhook-received';
import { ingestWebhook } from './ingest-webhook';
import { WebhookRejection } from '../ledger/errors';

/** A delivery whose body (held once in the stored event) is `bytes` long. */
function largeDelivery(dedupeKey: string, bytes: number): WebhookReceived {
  const text = 'x'.repeat(bytes);
  return {
    provider: 'standard',
    source: 'acme',
    providerEventType: 'referral.large',
    dedupeKey,
    tenantId: null,
    entity: { fqdn: null, id: null, sequence: null },
    receivedAt: '2026-01-01T00:00:00.000Z',
    verification: { method: 'standard-webhooks-v1', signed: true, keyId: 'acme#1' },
    understood: false,
    payload: { text },
    delivery: { contentType: 'application/json', headers: {}, body: JSON.stringify({ text }) },
  };
}

const request = { rawBody: Buffer.alloc(0), headers: {}, params: {}, receivedAt: new Date(0) };

async function answerTo(store: EventStore, delivery: WebhookReceived): Promise<unknown> {
  return ingestWebhook(store, () => delivery, request).catch((error: unknown) => error);
}

describe('ingesting a delivery too large for the store', () => {
  let emulator: EsdbEmulator;
  const stores: EventStore[] = [];
  beforeAll(async () => {
    // The emulator refuses appends over 1 MiB, as servers up to 25.0 do.
    emulator = await startEsdbEmulator({ maxAppendSize: 1024 * 1024 });
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await emulator.stop();
  });

  it('answers a 1.1 MiB body on the EventStoreDB emulator with a permanent 413, on every retry', async () => {
    const store = connectEventStoreDb(emulator.connectionString);
    stores.push(store);
    const delivery = largeDelivery('large-on-emulator', 1100 * 1024);
    for (let retry = 0; retry < 3; retry++) {
      const answer = await answerTo(store, delivery);
      expect(answer).toBeInstanceOf(WebhookRejection);
      expect(answer).toMatchObject({ status: 413, retryAfterSeconds: undefined });
    }
  });

  it("answers with 413 when the emulated server's own limit is the lower one", async () => {
    const store = connectEventStoreDb(emulator.connectionString, {
      maxAppendSize: 8 * 1024 * 1024,
    });
    stores.push(store);
    const answer = await answerTo(store, largeDelivery('large-server-limit', 1100 * 1024));
    expect(answer).toMatchObject({ status: 413 });
  });

  it('records the same 1.1 MiB body on SQLite, whose default limit is 16 MiB', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    stores.push(store);
    await expect(
      answerTo(store, largeDelivery('large-on-sqlite', 1100 * 1024)),
    ).resolves.toMatchObject({
      status: 'recorded',
    });
  });
});
