import { randomUUID } from 'node:crypto';
import type { EventStore, JsonObject } from '../event-store/event-store.port';
import { connectEventStoreDb } from '../event-store/eventstoredb/eventstoredb-event-store';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { startEsdbEmulator, type EsdbEmulator } from '../../test/support/esdb-emulator';
import type { WebhookReceived } from '../ledger/webhook-received';
import { talkable, webhook } from '../projections/testing/recorded-webhooks';
import { ingestWebhook } from './ingest-webhook';
import type { RecordedUnsubscribe } from '../ledger/unsubscribe-lookup';
import {
  UNSUBSCRIBE_MARKER_TYPE,
  unsubscribeMarkerStream,
  unsubscribesFromLog,
} from './unsubscribes-from-log';

const request = {
  rawBody: Buffer.from(''),
  headers: {},
  params: {},
  receivedAt: new Date('2024-07-01T00:00:00Z'),
};

/** Counts the events the store hands back to reads: the cost of an answer, whatever the clock says. */
function countingReads(store: EventStore): {
  store: EventStore;
  read: () => number;
  logScans: () => number;
} {
  let read = 0;
  let logScans = 0;
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === 'readStream')
        return async (...args: Parameters<EventStore['readStream']>) => {
          const events = await target.readStream(...args);
          read += events.length;
          return events;
        };
      if (property === 'readAll')
        return async (...args: Parameters<EventStore['readAll']>) => {
          logScans += 1;
          const page = await target.readAll(...args);
          read += page.events.length;
          return page;
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: counted, read: () => read, logScans: () => logScans };
}

/** A key-verified legacy Talkable delivery, as intake records it. */
function legacy(type: 'unsubscribe' | 'check-unsubscribe', payload: JsonObject, site: string) {
  // The fixture of that name gives the type Talkable sends (`unsubscribe_web_hook`, ...).
  return webhook('talkable', talkable(type).providerEventType, payload, {
    tenantId: site,
    dedupeKey: `talkable:${site}:${type}:${randomUUID()}`,
    verification: { method: 'talkable-key', signed: false, keyId: 'default' },
  });
}

function unsubscribe(email: string, site: string) {
  return legacy(
    'unsubscribe',
    { person: { email, unsubscribed_at: '2021-05-01T10:00:00.000-08:00' } },
    site,
  );
}

function check(email: string, site: string) {
  return legacy(
    'check-unsubscribe',
    { recipient: { email }, email_type: 'friend_rewards_paid' },
    site,
  );
}

async function record(store: EventStore, event: WebhookReceived) {
  const outcome = await ingestWebhook(store, () => event, request);
  return { eventId: outcome.eventId, position: outcome.position };
}

/** `count` events of another application, in appends of 500. */
async function appendOthers(store: EventStore, count: number): Promise<void> {
  for (let done = 0; done < count; done += 500) {
    const events = Array.from({ length: Math.min(500, count - done) }, (_, i) => ({
      id: randomUUID(),
      type: 'other-app.something-happened',
      data: { n: done + i },
    }));
    await store.append(`other-app-${randomUUID()}`, events, { expectedRevision: 'any' });
  }
}

export function describeUnsubscribesFromLog(
  logName: string,
  openStore: () => Promise<EventStore>,
): void {
  describe(`Talkable unsubscribes from the log (${logName})`, () => {
    let store: EventStore;
    let site: string;
    beforeEach(async () => {
      store = await openStore();
      site = `site-${randomUUID()}`;
    });
    afterEach(() => store.close());

    it('answers a check whose read of the backfill mark straddles the backfill finishing', async () => {
      // The check reads where the last backfill ended; this backfill finishes during that read.
      let backfilling: Promise<unknown> | undefined;
      const racing = new Proxy(store, {
        get(target, property) {
          if (property === 'readStream')
            return async (...args: Parameters<EventStore['readStream']>) => {
              const events = await target.readStream(...args);
              if (args[0].includes('backfill') && backfilling === undefined) {
                backfilling = unsubscribes.backfill();
                await backfilling;
              }
              return events;
            };
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
      const delivery = await record(store, unsubscribe('r@example.com', site));
      const asked = await record(store, check('r@example.com', site));
      const unsubscribes = unsubscribesFromLog(racing);
      await expect(
        unsubscribes.isUnsubscribed(site, 'someone-else@example.com', asked.position),
      ).resolves.toBe(false);
      expect(backfilling).toBeDefined();
      expect(delivery.position).toBeLessThan(asked.position);
    });

    it('counts an unsubscribe recorded before the check and not one recorded after it', async () => {
      const unsubscribes = unsubscribesFromLog(store);
      await unsubscribes.backfill();
      const early = await record(store, check('a@example.com', site));
      const delivery = await record(store, unsubscribe('a@example.com', site));
      await unsubscribes.noteUnsubscribe(site, 'a@example.com', delivery);
      const late = await record(store, check('a@example.com', site));

      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', early.position)).toBe(false);
      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', delivery.position)).toBe(
        true,
      );
      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', late.position)).toBe(true);
      expect(await unsubscribes.isUnsubscribed(site, 'b@example.com', late.position)).toBe(false);
      expect(await unsubscribes.isUnsubscribed(`${site}-2`, 'a@example.com', late.position)).toBe(
        false,
      );
    });

    it('compares addresses trimmed and lower-cased, as intake does', async () => {
      const unsubscribes = unsubscribesFromLog(store);
      await unsubscribes.backfill();
      const delivery = await record(store, unsubscribe(' Alice@Example.COM', site));
      await unsubscribes.noteUnsubscribe(site, ' Alice@Example.COM', delivery);
      const later = await record(store, check('alice@example.com', site));
      expect(await unsubscribes.isUnsubscribed(site, 'alice@example.com ', later.position)).toBe(
        true,
      );
    });

    it('reads a bounded number of events for a check on a log of 3,000 other events', async () => {
      await appendOthers(store, 1_500);
      const delivery = await record(store, unsubscribe('a@example.com', site));
      await appendOthers(store, 1_500);
      const later = await record(store, check('a@example.com', site));

      const counted = countingReads(store);
      const unsubscribes = unsubscribesFromLog(counted.store);
      await unsubscribes.backfill();
      const afterBackfill = counted.read();

      const scansAfterBackfill = counted.logScans();

      await unsubscribes.noteUnsubscribe(site, 'a@example.com', delivery);
      expect(counted.read() - afterBackfill).toBeLessThanOrEqual(1);
      const beforeChecks = counted.read();
      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', later.position)).toBe(true);
      expect(await unsubscribes.isUnsubscribed(site, 'b@example.com', later.position)).toBe(false);
      expect(counted.read() - beforeChecks).toBeLessThanOrEqual(2);
      // Not one read of $all, which a server streams in full to a 6.2.1 client.
      expect(counted.logScans()).toBe(scansAfterBackfill);
    });

    it('keeps the earliest unsubscribe last: later ones and retries add no marker', async () => {
      const unsubscribes = unsubscribesFromLog(store);
      const first = await record(store, unsubscribe('a@example.com', site));
      const second = await record(store, unsubscribe('a@example.com', site));
      await unsubscribes.noteUnsubscribe(site, 'a@example.com', second);
      await unsubscribes.noteUnsubscribe(site, 'a@example.com', second);
      await unsubscribes.noteUnsubscribe(site, 'a@example.com', first);
      await unsubscribes.noteUnsubscribe(site, 'a@example.com', second);
      await unsubscribes.noteUnsubscribe(site, 'a@example.com', first);

      const markers = await store.readStream(unsubscribeMarkerStream(site, 'a@example.com'), {
        maxCount: 10,
      });
      expect(markers.map((m) => [m.type, m.data.deliveryPosition])).toEqual([
        [UNSUBSCRIBE_MARKER_TYPE, second.position.toString()],
        [UNSUBSCRIBE_MARKER_TYPE, first.position.toString()],
      ]);
      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', first.position)).toBe(true);
    });

    it('notes 20 concurrent copies of unsubscribes so that the earliest is last', async () => {
      const unsubscribes = unsubscribesFromLog(store);
      const deliveries: RecordedUnsubscribe[] = [];
      for (let i = 0; i < 4; i += 1)
        deliveries.push(await record(store, unsubscribe('a@example.com', site)));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          unsubscribes.noteUnsubscribe(site, 'a@example.com', deliveries[3 - (i % 4)]!),
        ),
      );
      const [last] = await store.readStream(unsubscribeMarkerStream(site, 'a@example.com'), {
        direction: 'backwards',
        maxCount: 1,
      });
      expect(last?.data.deliveryPosition).toBe(deliveries[0]!.position.toString());
    });

    it('finds unsubscribes recorded without a marker before the backfill ran, and the backfill notes them', async () => {
      // As a release before markers recorded them.
      const before = await record(store, check('old@example.com', site));
      const old = await record(store, unsubscribe('old@example.com', site));
      await appendOthers(store, 1_000);
      const after = await record(store, check('old@example.com', site));

      const pending = unsubscribesFromLog(store);
      expect(await pending.isUnsubscribed(site, 'old@example.com', after.position)).toBe(true);
      expect(await pending.isUnsubscribed(site, 'old@example.com', before.position)).toBe(false);

      const counted = countingReads(store);
      const unsubscribes = unsubscribesFromLog(counted.store);
      const result = await unsubscribes.backfill();
      const scansOfBackfill = counted.logScans();
      expect(result.unsubscribes).toBeGreaterThanOrEqual(1);
      const beforeChecks = counted.read();
      expect(await unsubscribes.isUnsubscribed(site, 'old@example.com', after.position)).toBe(true);
      expect(await unsubscribes.isUnsubscribed(site, 'old@example.com', old.position)).toBe(true);
      expect(await unsubscribes.isUnsubscribed(site, 'old@example.com', before.position)).toBe(
        false,
      );
      expect(counted.read() - beforeChecks).toBeLessThanOrEqual(3);
      expect(counted.logScans()).toBe(scansOfBackfill);

      // Another process that has not run its own backfill yet learns from the first one's.
      const fresh = countingReads(store);
      const other = unsubscribesFromLog(fresh.store);
      expect(await other.isUnsubscribed(site, 'other@example.com', after.position)).toBe(false);
      expect(fresh.read()).toBeLessThanOrEqual(2);
      expect(fresh.logScans()).toBe(0);
    });

    it('starts a backfill where the last one ended', async () => {
      await record(store, unsubscribe('a@example.com', site));
      await unsubscribesFromLog(store).backfill();
      await appendOthers(store, 1_000);
      const late = await record(store, unsubscribe('b@example.com', site));

      const counted = countingReads(store);
      const second = await unsubscribesFromLog(counted.store).backfill();
      expect(second.unsubscribes).toBe(1);
      // The other application's 1,000 events are read once on SQLite's type filter or not at all.
      expect(counted.read()).toBeLessThanOrEqual(1_000 + 10);
      expect(
        await unsubscribesFromLog(store).isUnsubscribed(site, 'b@example.com', late.position),
      ).toBe(true);
    });

    it('ignores an unsubscribe that was not key-verified (a Custom App look-alike)', async () => {
      const { payload, tenantId, providerEventType } = unsubscribe('a@example.com', site);
      const lookAlike = webhook('talkable', providerEventType, payload, {
        tenantId,
        dedupeKey: `talkable:${site}:look-alike`,
        verification: { method: 'talkable-signature', signed: true, keyId: 'default' },
      });
      await record(store, lookAlike);
      const later = await record(store, check('a@example.com', site));
      const unsubscribes = unsubscribesFromLog(store);
      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', later.position)).toBe(false);
      await unsubscribes.backfill();
      expect(await unsubscribes.isUnsubscribed(site, 'a@example.com', later.position)).toBe(false);
    });
  });
}

describeUnsubscribesFromLog('embedded SQLite', async () =>
  openSqliteEventStore({ inMemory: true }),
);

// One emulator per test: each test sees only its own log, as on SQLite.
const emulators: EsdbEmulator[] = [];
afterEach(async () => {
  for (const emulator of emulators.splice(0)) await emulator.stop();
});
describeUnsubscribesFromLog('EventStoreDB adapter on the emulator', async () => {
  const emulator = await startEsdbEmulator();
  emulators.push(emulator);
  return connectEventStoreDb(emulator.connectionString);
});
