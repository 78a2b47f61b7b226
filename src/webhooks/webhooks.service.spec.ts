import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/load-config';
import { StoreUnavailableError } from '../event-store/event-store.errors';
import type { EventStore } from '../event-store/event-store.port';
import { connectEventStoreDb } from '../event-store/eventstoredb/eventstoredb-event-store';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { startEsdbEmulator, type EsdbEmulator } from '../../test/support/esdb-emulator';
import { systemClock } from '../ledger/clock';
import { EventStoreUnavailable, WebhookRejection } from '../ledger/errors';
import {
  UNSUBSCRIBE_MARKER_STREAM_PREFIX,
  unsubscribeMarkerStream,
  unsubscribesFromLog,
} from './unsubscribes-from-log';
import { WebhooksService, type RawDelivery } from './webhooks.service';

const KEY = `test-talkable-${randomUUID()}`;
const SITE = 'test-site';

function talkableForm(type: string, payload: object): RawDelivery {
  return {
    body: Buffer.from(
      // The key first, as Talkable sends it.
      new URLSearchParams({
        key: KEY,
        site: SITE,
        type,
        payload: JSON.stringify(payload),
      }).toString(),
    ),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    params: {},
  };
}

const unsubscribe = (email: string) =>
  talkableForm('unsubscribe_web_hook', {
    person: { email, unsubscribed_at: '2021-05-01T10:00:00.000-08:00' },
  });
/** Each check differs (email_type), as Talkable's checks before different emails do. */
const check = (email: string) =>
  talkableForm('check_unsubscribe_web_hook', {
    recipient: { email },
    email_type: `friend_rewards_paid-${randomUUID()}`,
  });

/** A store whose appends to marker streams fail while `failing` is on. */
function failingMarkers(store: EventStore): { store: EventStore; failing: { on: boolean } } {
  const failing = { on: false };
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'append')
        return (...args: Parameters<EventStore['append']>) =>
          failing.on && args[0].startsWith(UNSUBSCRIBE_MARKER_STREAM_PREFIX)
            ? Promise.reject(new StoreUnavailableError('marker append refused by the test'))
            : target.append(...args);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, failing };
}

const emulators: EsdbEmulator[] = [];
const logs: [string, () => Promise<EventStore>][] = [
  ['embedded SQLite', async () => openSqliteEventStore({ inMemory: true })],
  [
    'EventStoreDB adapter on the emulator',
    async () => {
      const emulator = await startEsdbEmulator();
      emulators.push(emulator);
      return connectEventStoreDb(emulator.connectionString);
    },
  ],
];

describe.each(logs)('WebhooksService: Talkable unsubscribe check (%s)', (_name, openStore) => {
  let store: EventStore;
  let service: WebhooksService;
  let failing: { on: boolean };

  beforeAll(() => Logger.overrideLogger(['error']));

  beforeEach(async () => {
    ({ store, failing } = failingMarkers(await openStore()));
    const config = loadConfig({ DATA_DIR: '/nonexistent', TALKABLE_WEBHOOK_KEY: KEY });
    const unsubscribes = unsubscribesFromLog(store);
    await unsubscribes.backfill();
    service = new WebhooksService(config, store, systemClock, unsubscribes);
  });
  afterEach(async () => {
    await store.close();
    for (const emulator of emulators.splice(0)) await emulator.stop();
  });

  it('answers a check asked after an unsubscribe as unsubscribed, one asked before it as not', async () => {
    expect(await service.receive('talkable', check('a@example.com'))).toMatchObject({
      status: 'recorded',
      unsubscribed: false,
    });
    expect(await service.receive('talkable', unsubscribe('A@Example.com'))).toMatchObject({
      status: 'recorded',
    });
    expect(await service.receive('talkable', check('a@example.com'))).toMatchObject({
      unsubscribed: true,
    });
    expect(await service.receive('talkable', check('b@example.com'))).toMatchObject({
      unsubscribed: false,
    });
  });

  it('answers 503 while the marker cannot be written, and the retry completes the unsubscribe', async () => {
    failing.on = true;
    const refused = await service.receive('talkable', unsubscribe('a@example.com')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(EventStoreUnavailable);
    expect(refused).toMatchObject({ status: 503 });
    // In the log, not acknowledged: a check does not count it yet.
    expect(await service.receive('talkable', check('a@example.com'))).toMatchObject({
      unsubscribed: false,
    });

    failing.on = false;
    expect(await service.receive('talkable', unsubscribe('a@example.com'))).toMatchObject({
      status: 'duplicate',
    });
    const [marker] = await store.readStream(unsubscribeMarkerStream(SITE, 'a@example.com'), {
      maxCount: 2,
    });
    expect(marker).toBeDefined();
    expect(await service.receive('talkable', check('a@example.com'))).toMatchObject({
      unsubscribed: true,
    });
  });

  it('answers a repeated check as of its first delivery, whose position it is', async () => {
    const first = check('a@example.com');
    expect(await service.receive('talkable', first)).toMatchObject({ unsubscribed: false });
    await service.receive('talkable', unsubscribe('a@example.com'));
    expect(await service.receive('talkable', first)).toMatchObject({
      status: 'duplicate',
      unsubscribed: false,
    });
  });
});

describe('WebhooksService: request headers', () => {
  beforeAll(() => Logger.overrideLogger(['error']));

  async function receivedWith(
    headers: RawDelivery['headers'],
  ): Promise<{ status: number } | { kept: unknown }> {
    const store = openSqliteEventStore({ inMemory: true });
    const unsubscribes = unsubscribesFromLog(store);
    const config = loadConfig({ DATA_DIR: '/nonexistent', TALKABLE_WEBHOOK_KEY: KEY });
    const service = new WebhooksService(config, store, systemClock, unsubscribes);
    try {
      const delivery = { ...talkableForm('referral_web_hook', { person: {} }), headers };
      await service.receive('talkable', delivery);
      const { events } = await store.readAll({ maxCount: 1 });
      const data = events[0]?.data as { delivery?: { headers?: unknown } } | undefined;
      return { kept: data?.delivery?.headers };
    } catch (error) {
      if (error instanceof WebhookRejection) return { status: error.status };
      throw error;
    } finally {
      await store.close();
    }
  }

  it('reads header names whatever their case, and a repeated header as its values joined', async () => {
    const form = 'application/x-www-form-urlencoded';
    expect(await receivedWith({ 'content-type': form, 'user-agent': 'T' })).toEqual({
      kept: { 'content-type': form, 'user-agent': 'T' },
    });
    expect(await receivedWith({ 'Content-Type': form, 'User-Agent': 'T' })).toEqual({
      kept: { 'content-type': form, 'user-agent': 'T' },
    });
    expect(await receivedWith({ 'content-type': form, 'user-agent': ['T', 'U'] })).toEqual({
      kept: { 'content-type': form, 'user-agent': 'T, U' },
    });
    expect(await receivedWith({ 'content-type': 'text/plain' })).toEqual({ status: 415 });
  });
});
