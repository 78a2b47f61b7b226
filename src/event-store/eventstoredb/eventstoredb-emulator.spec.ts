/**
 * The EventStoreDB adapter over the real client against the EventStoreDB
 * emulator (test/support/esdb-emulator): behaviours that need the emulator's
 * faults. The emulator copies the server behaviours it names; passing here is
 * not a real server passing.
 */
import { randomUUID } from 'node:crypto';
import { startEsdbEmulator, type EsdbEmulator } from '../../../test/support/esdb-emulator';
import { ConcurrencyError, EventTooLargeError, StoreUnavailableError } from '../event-store.errors';
import type { EventData, EventStore } from '../event-store.port';
import { connectEventStoreDb } from './eventstoredb-event-store';

const event = (data: EventData['data'] = {}): EventData => ({
  id: randomUUID(),
  type: 't.emulator',
  data,
});

/** Retries `attempt` until it resolves, for at most `ms`; the last error if it never did. */
async function eventually<T>(attempt: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('EventStoreDB adapter on the emulator', () => {
  let emulator: EsdbEmulator;
  const stores: EventStore[] = [];
  const open = (connectionString: string, options = {}): EventStore => {
    const store = connectEventStoreDb(connectionString, options);
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    emulator = await startEsdbEmulator({ maxAppendSize: 1024 * 1024 });
  });
  afterEach(async () => {
    emulator.faults.failDiscovery(false);
    emulator.faults.delayReplies(0);
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  afterAll(() => emulator.stop());

  describe.each([
    ['esdb+discover://', (e: EsdbEmulator) => e.discoverConnectionString],
    [
      'a multi-host esdb://',
      (e: EsdbEmulator) =>
        `esdb://127.0.0.1:${e.port},localhost:${e.port}?tls=false&maxDiscoverAttempts=2`,
    ],
  ])('with %s (cluster discovery) on the emulator', (_, connectionString) => {
    it('rejects work with StoreUnavailableError while discovery fails', async () => {
      const store = open(connectionString(emulator), { pingDeadlineMs: 5_000 });
      emulator.faults.failDiscovery(true);
      await expect(
        store.append(`disc-${randomUUID()}`, [event()], { expectedRevision: 'no_stream' }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await store.ping()).toBe(false);
    }, 40_000);

    it('appends again once discovery answers again, after a first append that failed discovery', async () => {
      const store = open(connectionString(emulator), { replaceClientAfterMs: 0 });
      emulator.faults.failDiscovery(true);
      await expect(
        store.append(`disc-${randomUUID()}`, [event()], { expectedRevision: 'no_stream' }),
      ).rejects.toThrow();
      emulator.faults.failDiscovery(false);
      // Reads recovered by themselves before the fix; appends never did.
      expect(await store.readAll({ maxCount: 1 })).toBeDefined();
      const stream = `disc-${randomUUID()}`;
      await eventually(() => store.append(stream, [event()], { expectedRevision: 'any' }), 10_000);
      expect(await store.readStream(stream, { maxCount: 10 })).toHaveLength(1);
      expect(await store.ping()).toBe(true);
    }, 40_000);
  });

  it('refuses an append the emulated server refuses as too large with EventTooLargeError', async () => {
    // The adapter allows 4 MiB; the emulated server, like 24.10, takes 1 MiB.
    const store = open(emulator.connectionString, { maxAppendSize: 4 * 1024 * 1024 });
    const stream = `big-${randomUUID()}`;
    const error = await store
      .append(stream, [event({ blob: 'x'.repeat(1536 * 1024) })], { expectedRevision: 'any' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect(error).toMatchObject({ maxAppendSize: 1024 * 1024 });
    expect(await store.readStream(stream, { maxCount: 1 })).toEqual([]);
  });

  it('refuses an event over the MaxAppendEventSize of an emulated 25.1 server with EventTooLargeError', async () => {
    const newer = await startEsdbEmulator({ maxAppendSize: 1024 * 1024, appendSizeRule: 'v25.1' });
    try {
      const store = open(newer.connectionString, { maxAppendSize: 4 * 1024 * 1024 });
      await expect(
        store.append(`big-${randomUUID()}`, [event({ blob: 'x'.repeat(1536 * 1024) })], {
          expectedRevision: 'any',
        }),
      ).rejects.toBeInstanceOf(EventTooLargeError);
    } finally {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await newer.stop();
    }
  });

  it('answers a conflict with ConcurrencyError when the connection string says throwOnAppendFailure=false', async () => {
    const store = open(`${emulator.connectionString}&throwOnAppendFailure=false`);
    const stream = `quiet-${randomUUID()}`;
    await store.append(stream, [event(), event()], { expectedRevision: 'no_stream' });
    const error = await store
      .append(stream, [event()], { expectedRevision: 'no_stream' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 1n });
  });

  it('keeps ping within its bound when the emulated server is slow, and closes promptly after', async () => {
    const store = open(emulator.connectionString, { pingDeadlineMs: 300 });
    expect(await store.ping()).toBe(true);
    emulator.faults.delayReplies(5_000);
    const started = Date.now();
    expect(await store.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
    const closing = Date.now();
    await store.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
  });

  it('resolves close() after 40 pings and 40 pages that stopped early', async () => {
    const store = open(emulator.connectionString);
    const stream = `early-${randomUUID()}`;
    await store.append(
      stream,
      Array.from({ length: 200 }, (_, n) => event({ n })),
      { expectedRevision: 'no_stream' },
    );
    for (let i = 0; i < 40; i++) {
      expect(await store.ping()).toBe(true);
      expect(
        (await store.readAll({ maxCount: 3, filter: { streamPrefixes: [stream] } })).events,
      ).toHaveLength(3);
    }
    const started = Date.now();
    await store.close();
    expect(Date.now() - started).toBeLessThan(2_000);
  }, 30_000);
});
