/**
 * The EventStoreDB emulator driven by the real @eventstore/db-client 6.2.1:
 * each behaviour it copies from the server, and each fault it injects.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { startEsdbEmulator, type EsdbEmulator } from './index';

const clients: EventStoreDBClient[] = [];

function connect(emulator: EsdbEmulator, discover = false): EventStoreDBClient {
  const client = EventStoreDBClient.connectionString(
    discover ? emulator.discoverConnectionString : emulator.connectionString,
  );
  clients.push(client);
  return client;
}

function event(type = 'Happened', data: Record<string, unknown> = { n: 1 }, id = randomUUID()) {
  return jsonEvent({ id, type, data });
}

function append(
  client: EventStoreDBClient,
  stream: string,
  count = 1,
  expectedRevision: AppendExpectedRevision = 'any',
) {
  return client.appendToStream(
    stream,
    Array.from({ length: count }, (_, n) => event('Happened', { n })),
    { expectedRevision },
  );
}

async function collect<E>(read: AsyncIterable<E>): Promise<E[]> {
  const events: E[] = [];
  for await (const resolved of read) events.push(resolved);
  return events;
}

function positionOf(resolved: AllStreamResolvedEvent | ResolvedEvent): Position {
  return resolved.event!.position!;
}

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('emulator: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

describe('EventStoreDB emulator: reads and appends (real client 6.2.1)', () => {
  let emulator: EsdbEmulator;
  beforeAll(async () => {
    emulator = await startEsdbEmulator({ systemEvents: false });
  });
  afterAll(() => emulator.stop());

  it('answers an append with sparse byte positions, commit equal to prepare', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    const first = await append(client, stream);
    const second = await append(client, stream);
    expect(first.success).toBe(true);
    expect(first.nextExpectedRevision).toBe(0n);
    expect(second.nextExpectedRevision).toBe(1n);
    expect(first.position!.commit).toBe(first.position!.prepare);
    expect(first.position!.commit).toBeGreaterThan(0n);
    // Positions grow by the record's size in bytes, not by one.
    expect(second.position!.commit - first.position!.commit).toBeGreaterThan(100n);
  });

  it('answers a multi-event append with the last event position', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    const result = await append(client, stream, 3);
    const events = await collect(client.readStream(stream));
    expect(result.nextExpectedRevision).toBe(2n);
    expect(result.position!.commit).toBe(positionOf(events[2]!).commit);
  });

  it('reads a stream by revision, forwards and backwards, inclusive of the revision', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await append(client, stream, 5);
    const forwards = await collect(client.readStream(stream, { fromRevision: 2n, maxCount: 2 }));
    const backwards = await collect(
      client.readStream(stream, { fromRevision: 2n, direction: BACKWARDS, maxCount: 10 }),
    );
    const fromEnd = await collect(
      client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(forwards.map((e) => e.event!.revision)).toEqual([2n, 3n]);
    expect(backwards.map((e) => e.event!.revision)).toEqual([2n, 1n, 0n]);
    expect(fromEnd.map((e) => e.event!.revision)).toEqual([4n]);
    expect(forwards[0]!.event!.data).toEqual({ n: 2 });
  });

  it('answers StreamNotFound for a stream that does not exist', async () => {
    const client = connect(emulator);
    await expect(collect(client.readStream(`missing-${randomUUID()}`))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
  });

  it('reads $all forwards including fromPosition and backwards excluding it', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await append(client, stream, 3);
    const ours = (await collect(client.readAll({ fromPosition: START }))).filter(
      (e) => e.event!.streamId === stream,
    );
    const middle = positionOf(ours[1]!);
    const forwards = await collect(client.readAll({ fromPosition: middle, maxCount: 2 }));
    const backwards = await collect(
      client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(forwards.map((e) => e.event!.revision)).toEqual([1n, 2n]);
    expect(backwards.map((e) => e.event!.revision)).toEqual([0n]);
    expect(backwards[0]!.event!.streamId).toBe(stream);
  });

  it('reads $all backwards from the end, newest first', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await append(client, stream, 2);
    const [last] = await collect(
      client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }),
    );
    const none = await collect(
      client.readAll({ fromPosition: END, direction: FORWARDS, maxCount: 5 }),
    );
    expect(last!.event!.streamId).toBe(stream);
    expect(last!.event!.revision).toBe(1n);
    expect(none).toEqual([]);
  });

  it('applies the expected-version rules and reports the current revision', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await expect(append(client, stream, 1, 'stream_exists')).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await append(client, stream, 2, 'no_stream');
    const conflict = await append(client, stream, 1, 'no_stream').catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect((conflict as WrongExpectedVersionError).actualVersion).toBe(1n);
    await expect(append(client, stream, 1, 0n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(append(client, stream, 1, 5n)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await append(client, stream, 1, 1n)).nextExpectedRevision).toBe(2n);
    expect((await append(client, stream, 1, 'stream_exists')).nextExpectedRevision).toBe(3n);
    expect((await append(client, stream, 1, 'any')).nextExpectedRevision).toBe(4n);
  });
});

describe('EventStoreDB emulator: subscriptions (real client 6.2.1)', () => {
  let emulator: EsdbEmulator;
  beforeAll(async () => {
    emulator = await startEsdbEmulator();
  });
  afterAll(() => emulator.stop());

  it('delivers $all strictly after fromPosition, then caught up, then live events', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    const first = await append(client, stream);
    await append(client, stream);
    const subscription = client.subscribeToAll({ fromPosition: first.position! });
    const seen: bigint[] = [];
    let caughtUpAfter = -1;
    subscription.on('caughtUp', () => {
      caughtUpAfter = seen.length;
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      if (resolved.event!.streamId === stream) seen.push(resolved.event!.revision);
    });
    await eventually(() => caughtUpAfter >= 0);
    await append(client, stream);
    await eventually(() => seen.length === 2);
    await subscription.unsubscribe();
    expect(seen).toEqual([1n, 2n]);
    expect(caughtUpAfter).toBe(1);
  });

  it('filters a $all subscription by stream prefix and by event-type regex, with checkpoints', async () => {
    const client = connect(emulator);
    const prefix = `filtered-${randomUUID()}`;
    await client.appendToStream(`${prefix}-a`, [event('Wanted'), event('Other')]);
    await client.appendToStream(`other-${randomUUID()}`, [event('Wanted')]);
    const checkpoints: Position[] = [];
    const byStream = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({
        prefixes: [prefix],
        checkpointReached: (_subscription, position) => {
          checkpoints.push(position);
        },
      }),
    });
    const byType = client.subscribeToAll({
      fromPosition: START,
      filter: eventTypeFilter({ regex: '^Wan' }),
    });
    const streamSeen: string[] = [];
    const typeSeen: string[] = [];
    byStream.on('data', (resolved: AllStreamResolvedEvent) =>
      streamSeen.push(resolved.event!.type),
    );
    byType.on('data', (resolved: AllStreamResolvedEvent) => typeSeen.push(resolved.event!.type));
    await client.appendToStream(`${prefix}-b`, [event('Live')]);
    await eventually(() => streamSeen.length === 3 && typeSeen.length >= 2);
    await Promise.all([byStream.unsubscribe(), byType.unsubscribe()]);
    expect(streamSeen).toEqual(['Wanted', 'Other', 'Live']);
    expect(new Set(typeSeen)).toEqual(new Set(['Wanted']));
    expect(checkpoints.length).toBeGreaterThan(0);
  });

  it('delivers a stream subscription after the given revision, then live', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await append(client, stream, 3);
    const subscription = client.subscribeToStream(stream, { fromRevision: 0n });
    const seen: bigint[] = [];
    subscription.on('data', (resolved: ResolvedEvent) => seen.push(resolved.event!.revision));
    await eventually(() => seen.length === 2);
    await append(client, stream);
    await eventually(() => seen.length === 3);
    await subscription.unsubscribe();
    expect(seen).toEqual([1n, 2n, 3n]);
  });
});

describe('EventStoreDB emulator: stop and start', () => {
  it('keeps its data and its port across a restart, and the client reconnects', async () => {
    const emulator = await startEsdbEmulator({ systemEvents: false });
    try {
      const client = connect(emulator);
      const stream = `order-${randomUUID()}`;
      await append(client, stream);
      const port = emulator.port;
      await emulator.stop();
      await expect(collect(client.readStream(stream))).rejects.toThrow();
      await emulator.start();
      expect(emulator.port).toBe(port);
      const events = await collect(client.readStream(stream));
      expect(events).toHaveLength(1);
      expect((await append(client, stream)).nextExpectedRevision).toBe(1n);
    } finally {
      await emulator.stop();
    }
  });
});
