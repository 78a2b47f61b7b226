import {
  BACKWARDS,
  type EventStoreDBClient,
  type ReadAllOptions as EsdbReadAllOptions,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { createServer } from 'node:net';
import { finished, PassThrough, Readable } from 'node:stream';
import { firstValueFrom } from 'rxjs';
import { StoreUnavailableError, StoreUsageError } from '../event-store.errors';
import type { EventStore, ReadAllOptions, RecordedEvent } from '../event-store.port';
import { connectEventStoreDb, EventStoreDbEventStore } from './eventstoredb-event-store';

/** A port on 127.0.0.1 that was free a moment ago: nothing listens there. */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const stored = (commit: number, streamId: string, type = 't.user'): ResolvedEvent => ({
  event: {
    id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60',
    type,
    streamId,
    revision: 0n,
    isJson: true,
    data: { n: commit },
    metadata: {},
    created: new Date(0),
    position: { commit: BigInt(commit), prepare: BigInt(commit) },
  },
});

/**
 * $all as the server reads it: forwards from a position inclusively, and
 * backwards either exclusively (what EventStoreDB does) or inclusively; the
 * adapter's paging must be right either way.
 */
function fakeLog(log: readonly ResolvedEvent[], backwardsInclusive: boolean) {
  const requests: EsdbReadAllOptions[] = [];
  const client = {
    readAll(options: EsdbReadAllOptions = {}) {
      requests.push(options);
      const from = options.fromPosition;
      const at = (e: ResolvedEvent): bigint => e.event?.position?.commit ?? -1n;
      const backwards = options.direction === BACKWARDS;
      const selected = backwards
        ? [...log]
            .reverse()
            .filter(
              (e) =>
                typeof from !== 'object' ||
                at(e) < from.commit ||
                (backwardsInclusive && at(e) === from.commit),
            )
        : log.filter((e) => typeof from !== 'object' || at(e) >= from.commit);
      const read = Readable.from(selected.slice(0, Number(options.maxCount)));
      return Object.assign(read, { cancel: async () => undefined });
    },
  };
  return { client: client as unknown as EventStoreDBClient, requests };
}

/** Every page from the start (or the end), following `next` until it is undefined. */
async function pageThrough(store: EventStore, options: ReadAllOptions): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.readAll({ ...options, after });
    expect(page.events.length).toBeLessThanOrEqual(options.maxCount);
    events.push(...page.events);
    if (page.next === undefined) return events;
    after = page.next;
  }
  throw new Error('paging did not end');
}

describe('EventStoreDB $all paging', () => {
  // 3,000 events: user events in two stream families, system events in between.
  const log = Array.from({ length: 3_000 }, (_, i) => {
    const commit = (i + 1) * 10;
    if (i % 3 === 0) return stored(commit, `$stats-${i}`, '$statsCollected');
    return stored(commit, i % 3 === 1 ? `referral-${i}` : `payout-${i}`);
  });
  const user = (prefix: string): number[] =>
    log
      .map((e) => e.event)
      .filter((e) => e !== undefined && e.streamId.startsWith(prefix))
      .map((e) => Number(e?.position?.commit));

  describe.each([
    ['exclusive', false],
    ['inclusive', true],
  ])('when backward reads are %s', (_, inclusive) => {
    it.each([
      ['forwards', 'referral-', 1],
      ['forwards', 'referral-', 7],
      ['forwards', '', 999],
      ['backwards', 'payout-', 1],
      ['backwards', 'payout-', 250],
      ['backwards', '', 4],
    ] as const)(
      'reads every %s event of "%s*" once with pages of %i, never a system event',
      async (direction, prefix, maxCount) => {
        const { client } = fakeLog(log, inclusive);
        const store = new EventStoreDbEventStore(client);
        const events = await pageThrough(store, {
          direction,
          maxCount,
          filter: prefix === '' ? undefined : { streamPrefixes: [prefix] },
        });
        const expected = prefix === '' ? [...user('referral-'), ...user('payout-')] : user(prefix);
        expected.sort((a, b) => (direction === 'forwards' ? a - b : b - a));
        expect(events.map((e) => Number(e.position))).toEqual(expected);
      },
    );
  });

  it('returns a full page with a next position while more matching events exist', async () => {
    const { client } = fakeLog(log, false);
    const store = new EventStoreDbEventStore(client);
    const page = await store.readAll({ maxCount: 5, filter: { eventTypePrefixes: ['t.'] } });
    expect(page.events).toHaveLength(5);
    expect(page.next).toBe(page.events[4]?.position);
  });

  it('never asks the server for an unbounded read', async () => {
    const { client, requests } = fakeLog(log, false);
    const store = new EventStoreDbEventStore(client);
    await pageThrough(store, { maxCount: 3, filter: { streamPrefixes: ['nothing-matches-'] } });
    await store.headPosition();
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      expect(Number(request.maxCount)).toBeGreaterThan(0);
      expect(Number(request.maxCount)).toBeLessThanOrEqual(1_000);
    }
  });

  it('reports the last user event as the head, past trailing system events', async () => {
    const { client } = fakeLog([...log, stored(999_999, '$stats-x', '$statsCollected')], false);
    const store = new EventStoreDbEventStore(client);
    expect(await store.headPosition()).toBe(30_000n);
  });
});

/**
 * A client whose reads are built as 6.2.1 builds them (ReadStream.js): the
 * gRPC stream, tracked by dispose() until Node's finished() sees it end, piped
 * into the Transform the caller reads. Its reply was received in full, so
 * cancelling the call does nothing; only reading it to the end ends it.
 */
function receivedInFull(log: readonly ResolvedEvent[]) {
  const tracked = new Set<Readable>();
  const client = {
    readAll: (options: EsdbReadAllOptions = {}) => {
      const from = options.fromPosition;
      const at = (e: ResolvedEvent): bigint => e.event?.position?.commit ?? -1n;
      const selected =
        options.direction === BACKWARDS
          ? [...log].reverse().filter((e) => typeof from !== 'object' || at(e) < from.commit)
          : log.filter((e) => typeof from !== 'object' || at(e) >= from.commit);
      const grpc = Readable.from(selected.slice(0, Number(options.maxCount)));
      tracked.add(grpc);
      finished(grpc, () => tracked.delete(grpc));
      const read = grpc.pipe(new PassThrough({ objectMode: true }));
      return Object.assign(read, { cancel: async () => undefined });
    },
    dispose: () =>
      Promise.all([...tracked].map((grpc) => new Promise((resolve) => finished(grpc, resolve)))),
  };
  return { client: client as unknown as EventStoreDBClient, tracked };
}

describe('EventStoreDB adapter close', () => {
  it('ends every read that stopped early, so dispose() has nothing left to wait for', async () => {
    const log = Array.from({ length: 200 }, (_, i) => stored((i + 1) * 10, `referral-${i}`));
    const { client, tracked } = receivedInFull(log);
    const store = new EventStoreDbEventStore(client, { closeTimeoutMs: 10_000 });
    for (let i = 0; i < 10; i++) {
      await store.readAll({ direction: 'backwards', maxCount: 1 });
      await store.readAll({ maxCount: 3 });
      await store.headPosition();
      expect(await store.ping()).toBe(true);
    }
    const started = Date.now();
    await Promise.race([store.close(), new Promise((resolve) => setTimeout(resolve, 3_000))]);
    expect(tracked.size).toBe(0);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('resolves within its bound even when the client never releases a call', async () => {
    const client = { dispose: () => new Promise<void>(() => undefined) };
    const store = new EventStoreDbEventStore(client as unknown as EventStoreDBClient, {
      closeTimeoutMs: 200,
    });
    const started = Date.now();
    const closing = [store.close(), store.close()];
    await Promise.all(closing);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(closing[0]).toBe(closing[1]);
  });
});

describe('EventStoreDB adapter without a server', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = connectEventStoreDb(`esdb://127.0.0.1:${await unusedPort()}?tls=false`, {
      pingDeadlineMs: 500,
      resubscribe: { initialDelayMs: 1, maxDelayMs: 2, maxAttempts: 1 },
    });
  });
  afterAll(() => store.close());

  it('answers ping with false, quickly, instead of throwing', async () => {
    const started = Date.now();
    await expect(store.ping()).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects appends and reads with StoreUnavailableError', async () => {
    const event = { id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60', type: 't', data: {} };
    await expect(store.append('s', [event], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.readStream('s', { maxCount: 1 })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('ends a subscription with StoreUnavailableError once re-subscribing has been given up', async () => {
    await expect(firstValueFrom(store.subscribeToAll())).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('refuses work once closed, and pings false', async () => {
    const closed = connectEventStoreDb(`esdb://127.0.0.1:${await unusedPort()}?tls=false`);
    await closed.close();
    await expect(closed.readAll({ maxCount: 1 })).rejects.toBeInstanceOf(StoreUsageError);
    await expect(firstValueFrom(closed.subscribeToAll())).rejects.toBeInstanceOf(StoreUsageError);
    await expect(closed.ping()).resolves.toBe(false);
  });
});
