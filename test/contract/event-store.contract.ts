/**
 * The behaviour every event store adapter must have, run against each of them.
 * Streams are unique per test (the EventStoreDB run shares one server and its
 * log is never empty), so $all assertions filter by this test's own prefix.
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom, take, toArray, timeout } from 'rxjs';
import { ConcurrencyError, StoreUsageError } from '../../src/event-store/event-store.errors';
import type {
  EventData,
  EventStore,
  JsonObject,
  RecordedEvent,
} from '../../src/event-store/event-store.port';

export interface ContractOptions {
  /** Events for the 10,000-event paging test (smaller where a remote server makes it slow). */
  readonly manyEvents?: number;
}

const event = (type: string, data: JsonObject = {}, metadata?: JsonObject): EventData => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

async function readAllOf(
  store: EventStore,
  prefix: string,
  pageSize = 500,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({
      after,
      maxCount: pageSize,
      filter: { streamPrefixes: [prefix] },
    });
    events.push(...page.events);
    if (page.next === undefined) return events;
    after = page.next;
  }
}

export function describeEventStoreContract(
  adapterName: string,
  makeStore: () => Promise<EventStore>,
  options: ContractOptions = {},
): void {
  describe(`event store contract: ${adapterName}`, () => {
    let store: EventStore;
    let prefix: string;
    const stream = (name: string): string => `${prefix}${name}`;

    beforeAll(async () => (store = await makeStore()));
    afterAll(() => store.close());
    beforeEach(() => (prefix = `c${randomUUID().replace(/-/g, '').slice(0, 12)}-`));

    describe('append and read a stream', () => {
      it('reads events back in the order they were appended', async () => {
        await store.append(stream('a'), [event('t.1'), event('t.2')], { expectedRevision: 'any' });
        await store.append(stream('a'), [event('t.3')], { expectedRevision: 'any' });
        const events = await store.readStream(stream('a'), { maxCount: 10 });
        expect(events.map((e) => e.type)).toEqual(['t.1', 't.2', 't.3']);
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it('returns the next expected revision and a log position that grows with each append', async () => {
        const first = await store.append(stream('a'), [event('t'), event('t')], {
          expectedRevision: 'no_stream',
        });
        const second = await store.append(stream('a'), [event('t')], {
          expectedRevision: first.nextExpectedRevision,
        });
        expect(first.nextExpectedRevision).toBe(1n);
        expect(second.nextExpectedRevision).toBe(2n);
        expect(second.position).toBeGreaterThan(first.position);
      });

      it('keeps ids, data and metadata exactly as appended', async () => {
        const written = event(
          't.meta',
          { amount: '5.00', nested: { list: [1, 'two', null, true] } },
          { schema: 1 },
        );
        await store.append(stream('a'), [written], { expectedRevision: 'any' });
        const [read] = await store.readStream(stream('a'), { maxCount: 1 });
        expect(read).toMatchObject({ id: written.id, type: 't.meta', streamId: stream('a') });
        expect(read?.data).toEqual(written.data);
        expect(read?.metadata).toMatchObject({ schema: 1 });
        expect(read?.created).toBeInstanceOf(Date);
      });

      it('reads an event appended without metadata with empty metadata', async () => {
        await store.append(stream('a'), [{ id: randomUUID(), type: 't', data: { n: 1 } }], {
          expectedRevision: 'any',
        });
        const [read] = await store.readStream(stream('a'), { maxCount: 1 });
        expect(read?.metadata).toEqual({});
      });

      it('rejects an event id that is not a UUID and writes nothing', async () => {
        await expect(
          store.append(stream('a'), [event('t'), { ...event('t'), id: 'not-a-uuid' }], {
            expectedRevision: 'any',
          }),
        ).rejects.toBeInstanceOf(StoreUsageError);
        expect(await store.readStream(stream('a'), { maxCount: 10 })).toEqual([]);
      });

      it('uses bigint for every revision and position', async () => {
        const result = await store.append(stream('a'), [event('t')], { expectedRevision: 'any' });
        const [read] = await store.readStream(stream('a'), { maxCount: 1 });
        for (const value of [
          result.position,
          result.nextExpectedRevision,
          read?.revision,
          read?.position,
        ]) {
          expect(typeof value).toBe('bigint');
        }
      });

      it('reads a stream backwards from its end', async () => {
        await store.append(stream('a'), [event('t.1'), event('t.2'), event('t.3')], {
          expectedRevision: 'any',
        });
        const events = await store.readStream(stream('a'), { direction: 'backwards', maxCount: 2 });
        expect(events.map((e) => e.type)).toEqual(['t.3', 't.2']);
      });

      it('reads a stream forwards from a given revision with a limit', async () => {
        await store.append(
          stream('a'),
          ['t.0', 't.1', 't.2', 't.3'].map((t) => event(t)),
          { expectedRevision: 'any' },
        );
        const events = await store.readStream(stream('a'), { fromRevision: 1n, maxCount: 2 });
        expect(events.map((e) => e.type)).toEqual(['t.1', 't.2']);
      });

      it('reads a stream backwards from a given revision', async () => {
        await store.append(
          stream('a'),
          ['t.0', 't.1', 't.2', 't.3'].map((t) => event(t)),
          { expectedRevision: 'any' },
        );
        const events = await store.readStream(stream('a'), {
          direction: 'backwards',
          fromRevision: 2n,
          maxCount: 10,
        });
        expect(events.map((e) => e.revision)).toEqual([2n, 1n, 0n]);
      });

      it('reads past the end of a stream as empty', async () => {
        await store.append(stream('a'), [event('t')], { expectedRevision: 'any' });
        expect(await store.readStream(stream('a'), { fromRevision: 1n, maxCount: 10 })).toEqual([]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream('missing'), { maxCount: 10 })).toEqual([]);
      });

      it('round-trips unicode payloads', async () => {
        const text = 'Zoë 😀 — שלום — 日本語 — \u2028 "quoted" \\ backslash';
        await store.append(stream('u'), [event('t.unicode', { text })], {
          expectedRevision: 'any',
        });
        const [read] = await store.readStream(stream('u'), { maxCount: 1 });
        expect(read?.data.text).toBe(text);
      });

      it('round-trips a 1 MiB payload', async () => {
        const blob = 'x'.repeat(1024 * 1024 - 64);
        await store.append(stream('big'), [event('t.big', { blob })], { expectedRevision: 'any' });
        const [read] = await store.readStream(stream('big'), { maxCount: 1 });
        expect(read?.data.blob).toHaveLength(blob.length);
      });

      it('rejects reads without a positive whole page size', async () => {
        await expect(store.readStream(stream('a'), { maxCount: 0 })).rejects.toBeInstanceOf(
          StoreUsageError,
        );
        await expect(store.readAll({ maxCount: -1 })).rejects.toBeInstanceOf(StoreUsageError);
        await expect(store.readAll({ maxCount: 1.5 })).rejects.toBeInstanceOf(StoreUsageError);
      });
    });

    describe('expected state on append', () => {
      it('accepts any state with "any"', async () => {
        await store.append(stream('s'), [event('t')], { expectedRevision: 'any' });
        await store.append(stream('s'), [event('t')], { expectedRevision: 'any' });
        expect(await store.readStream(stream('s'), { maxCount: 10 })).toHaveLength(2);
      });

      it('accepts "no_stream" for a new stream', async () => {
        const result = await store.append(stream('s'), [event('t')], {
          expectedRevision: 'no_stream',
        });
        expect(result.nextExpectedRevision).toBe(0n);
      });

      it('rejects an append expecting no stream when the stream exists, with its actual revision', async () => {
        await store.append(stream('s'), [event('t'), event('t')], { expectedRevision: 'any' });
        const error = await store
          .append(stream('s'), [event('t')], { expectedRevision: 'no_stream' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ streamId: stream('s'), expected: 'no_stream', actual: 1n });
      });

      it('rejects an append expecting the stream to exist when it does not', async () => {
        const error = await store
          .append(stream('s'), [event('t')], { expectedRevision: 'stream_exists' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ actual: undefined });
      });

      it('accepts "stream_exists" for an existing stream', async () => {
        await store.append(stream('s'), [event('t')], { expectedRevision: 'any' });
        await expect(
          store.append(stream('s'), [event('t')], { expectedRevision: 'stream_exists' }),
        ).resolves.toMatchObject({
          nextExpectedRevision: 1n,
        });
      });

      it('accepts the exact current revision and rejects a stale one', async () => {
        await store.append(stream('s'), [event('t'), event('t')], { expectedRevision: 'any' });
        await expect(
          store.append(stream('s'), [event('t')], { expectedRevision: 1n }),
        ).resolves.toMatchObject({
          nextExpectedRevision: 2n,
        });
        const error = await store
          .append(stream('s'), [event('t')], { expectedRevision: 1n })
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'ConcurrencyError', expected: 1n, actual: 2n });
      });

      it('writes nothing from an append that failed its expected state', async () => {
        await store.append(stream('s'), [event('t')], { expectedRevision: 'any' });
        await store
          .append(stream('s'), [event('t'), event('t')], { expectedRevision: 5n })
          .catch(() => undefined);
        expect(await store.readStream(stream('s'), { maxCount: 10 })).toHaveLength(1);
      });

      // EventStoreDB: an empty append to a missing stream succeeds with "no stream"
      // (-1) as the next expected revision and does not create the stream.
      it('appends nothing for an empty list and leaves a missing stream missing', async () => {
        for (const expectedRevision of ['any', 'no_stream'] as const) {
          const result = await store.append(stream('empty'), [], { expectedRevision });
          expect(result.nextExpectedRevision).toBe(-1n);
        }
        expect(await store.readStream(stream('empty'), { maxCount: 10 })).toEqual([]);
        await expect(
          store.append(stream('empty'), [event('t')], { expectedRevision: 'no_stream' }),
        ).resolves.toMatchObject({ nextExpectedRevision: 0n });
      });

      it('checks the expected state of an empty append and returns the current revision', async () => {
        await store.append(stream('s'), [event('t'), event('t')], { expectedRevision: 'any' });
        await expect(
          store.append(stream('s'), [], { expectedRevision: 1n }),
        ).resolves.toMatchObject({ nextExpectedRevision: 1n });
        const error = await store
          .append(stream('s'), [], { expectedRevision: 'no_stream' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ actual: 1n });
        expect(await store.readStream(stream('s'), { maxCount: 10 })).toHaveLength(2);
      });

      it('lets exactly one of two concurrent appenders with the same expected revision win', async () => {
        await store.append(stream('race'), [event('t')], { expectedRevision: 'no_stream' });
        const results = await Promise.allSettled([
          store.append(stream('race'), [event('t.left')], { expectedRevision: 0n }),
          store.append(stream('race'), [event('t.right')], { expectedRevision: 0n }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected');
        expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(stream('race'), { maxCount: 10 })).toHaveLength(2);
      });

      it('lets exactly one of 20 concurrent "no_stream" appends create the stream', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            store.append(stream('once'), [event('t')], { expectedRevision: 'no_stream' }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream('once'), { maxCount: 10 })).toHaveLength(1);
      });
    });

    describe('the whole log ($all)', () => {
      it('orders events across streams by log position', async () => {
        await store.append(stream('x'), [event('t.1')], { expectedRevision: 'any' });
        await store.append(stream('y'), [event('t.2')], { expectedRevision: 'any' });
        await store.append(stream('x'), [event('t.3')], { expectedRevision: 'any' });
        const events = await readAllOf(store, prefix);
        expect(events.map((e) => e.type)).toEqual(['t.1', 't.2', 't.3']);
        const positions = events.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
      });

      it('pages forwards with an exclusive "after" and backwards from the end', async () => {
        await store.append(
          stream('p'),
          ['t.1', 't.2', 't.3', 't.4', 't.5'].map((t) => event(t)),
          { expectedRevision: 'any' },
        );
        const filter = { streamPrefixes: [prefix] };
        const first = await store.readAll({ maxCount: 2, filter });
        const second = await store.readAll({ after: first.next, maxCount: 2, filter });
        expect([...first.events, ...second.events].map((e) => e.type)).toEqual([
          't.1',
          't.2',
          't.3',
          't.4',
        ]);
        const last = await store.readAll({ direction: 'backwards', maxCount: 2, filter });
        expect(last.events.map((e) => e.type)).toEqual(['t.5', 't.4']);
        const before = await store.readAll({
          direction: 'backwards',
          after: last.next,
          maxCount: 2,
          filter,
        });
        expect(before.events.map((e) => e.type)).toEqual(['t.3', 't.2']);
      });

      it('filters by event-type prefix', async () => {
        const kind = `k${randomUUID().slice(0, 8)}`;
        await store.append(
          stream('f'),
          [event(`${kind}.a`), event('other.b'), event(`${kind}.c`)],
          {
            expectedRevision: 'any',
          },
        );
        const page = await store.readAll({ maxCount: 10, filter: { eventTypePrefixes: [kind] } });
        expect(page.events.map((e) => e.type)).toEqual([`${kind}.a`, `${kind}.c`]);
      });

      it('filters by stream prefix, matching any of several prefixes', async () => {
        await store.append(stream('one-1'), [event('t.1')], { expectedRevision: 'any' });
        await store.append(stream('two-1'), [event('t.2')], { expectedRevision: 'any' });
        await store.append(stream('three-1'), [event('t.3')], { expectedRevision: 'any' });
        const page = await store.readAll({
          maxCount: 10,
          filter: { streamPrefixes: [stream('one'), stream('three')] },
        });
        expect(page.events.map((e) => e.type)).toEqual(['t.1', 't.3']);
      });

      it('keeps only events matching both filters when both are given', async () => {
        const kind = `k${randomUUID().slice(0, 8)}`;
        await store.append(stream('in'), [event(`${kind}.a`), event('other.b')], {
          expectedRevision: 'any',
        });
        await store.append(stream('out'), [event(`${kind}.c`)], { expectedRevision: 'any' });
        const page = await store.readAll({
          maxCount: 10,
          filter: { eventTypePrefixes: [kind], streamPrefixes: [stream('in')] },
        });
        expect(page.events.map((e) => e.type)).toEqual([`${kind}.a`]);
      });

      it('reads nothing forwards after the head', async () => {
        const { position } = await store.append(stream('end'), [event('t')], {
          expectedRevision: 'any',
        });
        const page = await store.readAll({
          after: position,
          maxCount: 10,
          filter: { streamPrefixes: [prefix] },
        });
        expect(page.events).toEqual([]);
        expect(page.next).toBeUndefined();
      });

      it('reports the position of the last event as the head', async () => {
        const result = await store.append(stream('h'), [event('t')], { expectedRevision: 'any' });
        expect(await store.headPosition()).toBeGreaterThanOrEqual(result.position);
      });

      it(`pages through ${options.manyEvents ?? 10_000} events without losing or repeating one`, async () => {
        const total = options.manyEvents ?? 10_000;
        const batch = 500;
        await Promise.all(
          Array.from({ length: total / batch }, (_, b) =>
            store.append(
              stream(`many-${b}`),
              Array.from({ length: batch }, (_, i) => event('t.many', { n: b * batch + i })),
              { expectedRevision: 'no_stream' },
            ),
          ),
        );
        const events = await readAllOf(store, prefix, 777);
        expect(events).toHaveLength(total);
        expect(new Set(events.map((e) => e.data.n)).size).toBe(total);
      }, 60_000);
    });

    describe('catch-up subscription to $all', () => {
      it('delivers history, then live events, with no gap and no duplicate at the hand-over', async () => {
        // Larger than one catch-up page, so live appends land mid catch-up.
        const history = 1000;
        const live = 1000;
        await store.append(
          stream('sub'),
          Array.from({ length: history }, (_, i) => event('t.sub', { n: i })),
          { expectedRevision: 'no_stream' },
        );
        const received = firstValueFrom(
          store
            .subscribeToAll({ filter: { streamPrefixes: [prefix] } })
            .pipe(take(history + live), toArray(), timeout(30_000)),
        );
        // Appends race the subscription's catch-up on purpose.
        await Promise.all(
          Array.from({ length: live }, (_, i) =>
            store.append(stream(`sub-live-${i % 7}`), [event('t.sub', { n: history + i })], {
              expectedRevision: 'any',
            }),
          ),
        );
        const events = await received;
        const numbers = events.map((e) => e.data.n as number);
        expect(new Set(numbers).size).toBe(history + live);
        expect([...numbers].sort((a, b) => a - b)).toEqual(
          Array.from({ length: history + live }, (_, i) => i),
        );
        const positions = events.map((e) => e.position);
        expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).toBe(true);
      }, 40_000);

      it('resumes after a checkpoint without repeating what was delivered', async () => {
        await store.append(
          stream('resume'),
          ['t.1', 't.2', 't.3', 't.4'].map((t) => event(t)),
          {
            expectedRevision: 'any',
          },
        );
        const filter = { streamPrefixes: [prefix] };
        const firstTwo = await firstValueFrom(
          store.subscribeToAll({ filter }).pipe(take(2), toArray(), timeout(10_000)),
        );
        const checkpoint = firstTwo[1]!.position;
        const rest = await firstValueFrom(
          store
            .subscribeToAll({ after: checkpoint, filter })
            .pipe(take(2), toArray(), timeout(10_000)),
        );
        expect(rest.map((e) => e.type)).toEqual(['t.3', 't.4']);
      });

      it('applies event-type filters to the subscription', async () => {
        const kind = `k${randomUUID().slice(0, 8)}`;
        await store.append(
          stream('sf'),
          [event('noise.a'), event(`${kind}.b`), event('noise.c'), event(`${kind}.d`)],
          {
            expectedRevision: 'any',
          },
        );
        const events = await firstValueFrom(
          store
            .subscribeToAll({ filter: { eventTypePrefixes: [kind] } })
            .pipe(take(2), toArray(), timeout(10_000)),
        );
        expect(events.map((e) => e.type)).toEqual([`${kind}.b`, `${kind}.d`]);
      });

      it('applies stream-prefix filters to the subscription', async () => {
        await store.append(stream('other'), [event('t.other')], { expectedRevision: 'any' });
        await store.append(stream('mine'), [event('t.mine.1')], { expectedRevision: 'any' });
        const events = firstValueFrom(
          store
            .subscribeToAll({ filter: { streamPrefixes: [stream('mine')] } })
            .pipe(take(2), toArray(), timeout(10_000)),
        );
        await store.append(stream('other'), [event('t.other')], { expectedRevision: 'any' });
        await store.append(stream('mine'), [event('t.mine.2')], { expectedRevision: 'any' });
        expect((await events).map((e) => e.type)).toEqual(['t.mine.1', 't.mine.2']);
      });

      it('stops delivering once unsubscribed', async () => {
        const filter = { streamPrefixes: [prefix] };
        const seen: RecordedEvent[] = [];
        let firstSeen!: () => void;
        const first = new Promise<void>((resolve) => (firstSeen = resolve));
        const subscription = store.subscribeToAll({ filter }).subscribe((e) => {
          seen.push(e);
          firstSeen();
        });
        await store.append(stream('stop'), [event('t.1')], { expectedRevision: 'any' });
        await first;
        subscription.unsubscribe();
        // A second subscriber that sees t.2 live proves t.2 reached live subscribers.
        const later = firstValueFrom(
          store.subscribeToAll({ filter }).pipe(take(2), toArray(), timeout(10_000)),
        );
        await store.append(stream('stop'), [event('t.2')], { expectedRevision: 'any' });
        expect((await later).map((e) => e.type)).toEqual(['t.1', 't.2']);
        expect(seen.map((e) => e.type)).toEqual(['t.1']);
      });
    });

    it('answers ping while open', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
