/**
 * The behaviour every event store adapter must have, run against each of them.
 * Streams are unique per test (the EventStoreDB run shares one server and its
 * log is never empty), so $all assertions filter by this test's own prefix.
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom, take, tap, toArray, timeout } from 'rxjs';
import { appendSizeOf } from '../../src/event-store/append-size';
import {
  ConcurrencyError,
  EventTooLargeError,
  StoreUnavailableError,
  StoreUsageError,
} from '../../src/event-store/event-store.errors';
import type {
  AllFilter,
  EventData,
  EventStore,
  JsonObject,
  RecordedEvent,
} from '../../src/event-store/event-store.port';
import { ingestWebhook } from '../../src/webhooks/ingest-webhook';
import { WebhookRejection } from '../../src/ledger/errors';
import {
  deliveryStreamName,
  uuidV5,
  type WebhookReceived,
} from '../../src/ledger/webhook-received';

export interface ContractOptions {
  /** Events for the 10,000-event paging test (smaller where a remote server makes it slow). */
  readonly manyEvents?: number;
  /**
   * Writes an event the port never wrote (another application's, or a `$`
   * system event) straight into the log. Without it the foreign events of the
   * "end of the log" behaviour are appended through the port.
   */
  readonly appendDirect?: (stream: string, type: string, data: JsonObject) => Promise<void> | void;
  /** Opens this adapter against a store that does not answer (a closed port). */
  readonly openUnreachable?: () => Promise<EventStore>;
  /** Ends the oldest live subscription the way a dropped connection does. */
  readonly dropOneSubscription?: () => void;
  /**
   * Why a behaviour above cannot apply to this adapter; a behaviour without
   * its hook and without a reason fails, so no run skips one silently.
   */
  readonly notApplicable?: {
    readonly unreachable?: string;
    readonly droppedSubscription?: string;
  };
}

/** How long close() may take after reads that stopped early. */
const CLOSE_BOUND_MS = 3_000;

const event = (type: string, data: JsonObject = {}, metadata?: JsonObject): EventData => ({
  id: randomUUID(),
  type,
  data,
  metadata,
});

/** An event whose append is exactly `size` bytes as the port counts them. */
function eventOfSize(size: number): EventData {
  const probe = { id: randomUUID(), type: 't.big', data: { blob: '' } };
  const blob = 'x'.repeat(size - appendSizeOf([probe]));
  return { ...probe, data: { blob } };
}

/** A verified delivery, as a provider module hands it to the ingest path. */
function delivery(dedupeKey: string): WebhookReceived {
  return {
    provider: 'standard',
    source: 'contract',
    providerEventType: 'contract.tested',
    dedupeKey,
    tenantId: null,
    entity: { fqdn: null, id: null, sequence: null },
    receivedAt: '2026-01-01T00:00:00.000Z',
    verification: { method: 'standard-webhooks-v1', signed: true, keyId: 'contract#1' },
    understood: false,
    payload: { dedupeKey },
    delivery: { contentType: 'application/json', headers: {}, body: JSON.stringify({ dedupeKey }) },
  };
}

const inbound = {
  rawBody: Buffer.from('{}'),
  headers: {},
  params: {},
  receivedAt: new Date(0),
};

async function closeWithin(store: EventStore, ms: number): Promise<number> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`close() did not resolve within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([store.close(), late]);
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - started;
}

async function pageThrough(
  store: EventStore,
  filter: AllFilter,
  pageSize: number,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.readAll({ after, maxCount: pageSize, filter });
    events.push(...page.events);
    if (page.next === undefined) return events;
    after = page.next;
  }
  throw new Error('paging over the filter did not end');
}

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

    describe('the largest append', () => {
      it("stores an append of exactly the store's limit and reads it back", async () => {
        const written = eventOfSize(store.maxAppendSize);
        expect(appendSizeOf([written])).toBe(store.maxAppendSize);
        await store.append(stream('big'), [written], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(stream('big'), { maxCount: 1 });
        expect(read?.id).toBe(written.id);
        expect(read?.data.blob).toHaveLength((written.data.blob as string).length);
      }, 30_000);

      it('refuses one byte more with EventTooLargeError, permanently, and writes nothing', async () => {
        const tooLarge = eventOfSize(store.maxAppendSize + 1);
        for (let attempt = 0; attempt < 2; attempt++) {
          const error = await store
            .append(stream('big'), [tooLarge], { expectedRevision: 'any' })
            .catch((e: unknown) => e);
          expect(error).toBeInstanceOf(EventTooLargeError);
          expect(error).toMatchObject({
            streamId: stream('big'),
            size: store.maxAppendSize + 1,
            maxAppendSize: store.maxAppendSize,
          });
        }
        expect(await store.readStream(stream('big'), { maxCount: 1 })).toEqual([]);
      }, 30_000);

      it('counts the whole append: two events that fit alone are refused together', async () => {
        const half = eventOfSize(Math.floor(store.maxAppendSize / 2) + 1);
        await expect(
          store.append(stream('pair'), [half, { ...half, id: randomUUID() }], {
            expectedRevision: 'any',
          }),
        ).rejects.toBeInstanceOf(EventTooLargeError);
        await expect(
          store.append(stream('pair'), [half], { expectedRevision: 'any' }),
        ).resolves.toMatchObject({ nextExpectedRevision: 0n });
      }, 30_000);

      it('answers a delivery the store can never take with a 413, never a 503', async () => {
        const huge = delivery(`huge-${prefix}`);
        const blob = 'x'.repeat(store.maxAppendSize);
        const rejection = await ingestWebhook(
          store,
          () => ({
            ...huge,
            payload: { blob },
            delivery: { ...huge.delivery, body: JSON.stringify({ blob }) },
          }),
          inbound,
        ).catch((e: unknown) => e);
        expect(rejection).toBeInstanceOf(WebhookRejection);
        expect(rejection).toMatchObject({ status: 413, retryAfterSeconds: undefined });
      }, 30_000);
    });

    describe('duplicates: the same event id appended again with "no_stream"', () => {
      it('refuses the repeat with ConcurrencyError and keeps the original', async () => {
        const original = event('t.delivery', { copy: 1 });
        const first = await store.append(stream('dup'), [original], {
          expectedRevision: 'no_stream',
        });
        const error = await store
          .append(stream('dup'), [{ ...original, data: { copy: 2 } }], {
            expectedRevision: 'no_stream',
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect(error).toMatchObject({ expected: 'no_stream', actual: 0n });
        const events = await store.readStream(stream('dup'), { maxCount: 10 });
        expect(events.map((e) => [e.id, e.position, e.data.copy])).toEqual([
          [original.id, first.position, 1],
        ]);
      });

      it('lets exactly one of 50 concurrent copies in and refuses the others with ConcurrencyError', async () => {
        const copy = event('t.delivery');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, () =>
            store.append(stream('storm'), [copy], { expectedRevision: 'no_stream' }),
          ),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
        expect(reasons).toHaveLength(49);
        for (const reason of reasons) expect(reason).toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(stream('storm'), { maxCount: 10 })).toHaveLength(1);
      }, 30_000);

      it('answers a repeated delivery "duplicate" with the original\'s id and position', async () => {
        const received = delivery(`dup-${prefix}`);
        const first = await ingestWebhook(store, () => received, inbound);
        const again = await ingestWebhook(store, () => received, inbound);
        expect(first).toMatchObject({ status: 'recorded', eventId: uuidV5(received.dedupeKey) });
        expect(again).toMatchObject({
          status: 'duplicate',
          eventId: first.eventId,
          position: first.position,
          streamId: deliveryStreamName('standard', received.dedupeKey),
        });
      });

      it('answers 50 concurrent copies of a delivery once "recorded" and 49 times "duplicate", none 503', async () => {
        const received = delivery(`storm-${prefix}`);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 50 }, () => ingestWebhook(store, () => received, inbound)),
        );
        const answers = outcomes.map((o) =>
          o.status === 'fulfilled' ? o.value : { status: 'failed', reason: o.reason as unknown },
        );
        expect(answers.filter((a) => a.status === 'failed')).toEqual([]);
        const recorded = answers.filter((a) => a.status === 'recorded');
        expect(recorded).toHaveLength(1);
        const original = recorded[0] as { eventId: string; position: bigint };
        for (const answer of answers.filter((a) => a.status === 'duplicate')) {
          expect(answer).toMatchObject({ eventId: original.eventId, position: original.position });
        }
        expect(answers.filter((a) => a.status === 'duplicate')).toHaveLength(49);
      }, 30_000);
    });

    describe('foreign and system events at the end of the log', () => {
      it('gives the head of what a filter selects, and paging and subscribing over it end there', async () => {
        const mine: AllFilter = { streamPrefixes: [stream('mine-')] };
        await store.append(stream('mine-1'), [event('t.1'), event('t.2')], {
          expectedRevision: 'any',
        });
        const last = await store.append(stream('mine-2'), [event('t.3')], {
          expectedRevision: 'any',
        });
        // Another application's events, then the server's own, end the log.
        const foreign = await store.append(stream('foreign'), [event('other.app')], {
          expectedRevision: 'any',
        });
        for (let i = 0; i < 3; i++) {
          await options.appendDirect?.(stream(`direct-${i}`), 'other.direct', { i });
          await options.appendDirect?.(`$stats-${prefix}${i}`, '$statsCollected', { i });
        }

        expect(await store.headPosition(mine)).toBe(last.position);
        expect(
          await store.headPosition({ eventTypePrefixes: ['t.'], streamPrefixes: [prefix] }),
        ).toBe(last.position);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(foreign.position);
        expect(await store.headPosition({ streamPrefixes: [stream('nothing-')] })).toBeUndefined();

        const paged = await pageThrough(store, mine, 2);
        expect(paged.map((e) => e.type)).toEqual(['t.1', 't.2', 't.3']);
        expect(paged[paged.length - 1]?.position).toBe(last.position);
        const after = await store.readAll({ after: last.position, maxCount: 10, filter: mine });
        expect(after).toEqual({ events: [] });

        // A subscriber from the filtered head sees the next matching event, and nothing before it.
        const next = firstValueFrom(
          store
            .subscribeToAll({ after: last.position, filter: mine })
            .pipe(take(1), timeout(10_000)),
        );
        await store.append(stream('foreign'), [event('other.app')], { expectedRevision: 'any' });
        await store.append(stream('mine-3'), [event('t.4')], { expectedRevision: 'any' });
        expect((await next).type).toBe('t.4');
      });
    });

    describe('a dropped subscription', () => {
      const reason = options.notApplicable?.droppedSubscription;
      if (options.dropOneSubscription === undefined && reason !== undefined) {
        process.stderr.write(`${adapterName}: dropped-subscription contract skipped: ${reason}\n`);
        it.skip(`resumes with no gap and no duplicate — not applicable: ${reason}`, () =>
          undefined);
        return;
      }
      it('resumes with no gap and no duplicate, in history and live', async () => {
        const drop = options.dropOneSubscription;
        if (drop === undefined) {
          throw new Error(
            'give the contract dropOneSubscription, or notApplicable.droppedSubscription',
          );
        }
        const history = 300;
        const live = 300;
        await store.append(
          stream('drop'),
          Array.from({ length: history }, (_, i) => event('t.drop', { n: i })),
          { expectedRevision: 'no_stream' },
        );
        let delivered = 0;
        let reached!: () => void;
        const halfway = new Promise<void>((resolve) => (reached = resolve));
        const all = firstValueFrom(
          store.subscribeToAll({ filter: { streamPrefixes: [prefix] } }).pipe(
            tap(() => {
              delivered += 1;
              if (delivered === history / 2) reached();
            }),
            take(history + live),
            toArray(),
            timeout(30_000),
          ),
        );
        await halfway;
        drop();
        for (let i = 0; i < live; i++) {
          if (i === live / 2) drop();
          await store.append(stream(`drop-live-${i % 5}`), [event('t.drop', { n: history + i })], {
            expectedRevision: 'any',
          });
        }
        const events = await all;
        expect(events.map((e) => e.data.n)).toEqual(
          Array.from({ length: history + live }, (_, i) => i),
        );
      }, 40_000);
    });

    describe("the store unreachable at the adapter's start", () => {
      const reason = options.notApplicable?.unreachable;
      if (options.openUnreachable === undefined && reason !== undefined) {
        process.stderr.write(`${adapterName}: unreachable-store contract skipped: ${reason}\n`);
        it.skip(`rejects work with StoreUnavailableError — not applicable: ${reason}`, () =>
          undefined);
        return;
      }
      it('rejects appends and reads with StoreUnavailableError, pings false, and nothing hangs', async () => {
        const open = options.openUnreachable;
        if (open === undefined) {
          throw new Error('give the contract openUnreachable, or notApplicable.unreachable');
        }
        const unreachable = await open();
        try {
          const started = Date.now();
          const work: Promise<unknown>[] = [
            unreachable.append(stream('u'), [event('t')], { expectedRevision: 'no_stream' }),
            unreachable.readStream(stream('u'), { maxCount: 1 }),
            unreachable.readAll({ maxCount: 1 }),
            unreachable.headPosition(),
            unreachable.headPosition({ streamPrefixes: [prefix] }),
          ];
          for (const outcome of await Promise.allSettled(work)) {
            expect(outcome).toMatchObject({
              status: 'rejected',
              reason: expect.any(StoreUnavailableError),
            });
          }
          expect(await unreachable.ping()).toBe(false);
          expect(Date.now() - started).toBeLessThan(15_000);
        } finally {
          await closeWithin(unreachable, CLOSE_BOUND_MS);
        }
      }, 30_000);
    });

    describe('close after reads that stopped early', () => {
      it(`resolves within ${CLOSE_BOUND_MS} ms after full pages, pings and heads`, async () => {
        const own = await makeStore();
        try {
          const before = await own.append(stream('start'), [event('t.start')], {
            expectedRevision: 'no_stream',
          });
          // A page that fills a few events before the end of what the store sent:
          // the rest of the reply is already received and nobody reads it.
          await own.append(
            stream('noise'),
            Array.from({ length: 995 }, (_, i) => event('t.noise', { n: i })),
            { expectedRevision: 'no_stream' },
          );
          await own.append(
            stream('early'),
            Array.from({ length: 5 }, (_, i) => event('t.early', { n: i })),
            { expectedRevision: 'no_stream' },
          );
          const filter = { streamPrefixes: [stream('early')] };
          for (let i = 0; i < 20; i++) {
            const page = await own.readAll({ after: before.position, maxCount: 2, filter });
            expect(page.events.map((e) => e.data.n)).toEqual([0, 1]);
            expect(
              (await own.readAll({ maxCount: 1, direction: 'backwards' })).events,
            ).toHaveLength(1);
            expect(await own.ping()).toBe(true);
            expect(await own.headPosition(filter)).toBeDefined();
          }
          expect(await own.readStream(stream('noise'), { maxCount: 1 })).toHaveLength(1);
        } finally {
          await closeWithin(own, CLOSE_BOUND_MS);
        }
      }, 60_000);
    });

    it('answers ping while open', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
