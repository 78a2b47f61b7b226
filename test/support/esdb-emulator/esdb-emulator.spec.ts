/**
 * The EventStoreDB emulator driven by the real @eventstore/db-client 6.2.1:
 * each behaviour it copies from the server, and each fault it injects.
 */
import {
  BACKWARDS,
  DeadlineExceededError,
  END,
  MaxAppendSizeExceededError,
  NotLeaderError,
  UnavailableError,
  UnknownError,
  binaryEvent,
  excludeSystemEvents,
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
import { status } from '@grpc/grpc-js';
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

  it('answers the unary Append RPC too (6.2.1 uses it for calls with credentials)', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    const credentials = { username: 'admin', password: 'changeit' };
    const first = await client.appendToStream(stream, event(), { credentials });
    expect(first.nextExpectedRevision).toBe(0n);
    await expect(
      client.appendToStream(stream, event(), { credentials, expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const [stored] = await collect(client.readStream(stream));
    expect(stored!.event!.position).toEqual(first.position);
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
      const subscription = client.subscribeToStream(stream);
      subscription.on('data', () => undefined);
      await eventually(() => emulator.openCalls === 2);
      const ended = new Promise<Error>((resolve) => subscription.on('error', resolve));
      await emulator.stop();
      expect(await ended).toBeInstanceOf(UnavailableError);
      await expect(collect(client.readStream(stream))).rejects.toThrow();
      await emulator.start();
      expect(emulator.port).toBe(port);
      const events = await collect(client.readStream(stream));
      expect(events).toHaveLength(1);
      expect((await append(client, stream)).nextExpectedRevision).toBe(1n);
      await emulator.restart();
      expect(emulator.port).toBe(port);
      expect(await collect(client.readStream(stream))).toHaveLength(2);
    } finally {
      await emulator.stop();
    }
  });
});

describe('EventStoreDB emulator: event-id idempotency (IndexWriter.CheckCommit)', () => {
  let emulator: EsdbEmulator;
  beforeAll(async () => {
    emulator = await startEsdbEmulator({ systemEvents: false });
  });
  afterAll(() => emulator.stop());

  it('answers a repeat of the same ids at the same expected version with the original position', async () => {
    const client = connect(emulator);
    const stream = `delivery-${randomUUID()}`;
    const id = randomUUID();
    const original = await client.appendToStream(stream, event('Received', {}, id), {
      expectedRevision: 'no_stream',
    });
    const repeat = await client.appendToStream(stream, event('Received', {}, id), {
      expectedRevision: 'no_stream',
    });
    const anyRepeat = await client.appendToStream(stream, event('Received', {}, id));
    expect(repeat).toEqual(original);
    expect(anyRepeat).toEqual(original);
    expect(await collect(client.readStream(stream))).toHaveLength(1);
  });

  it('refuses a different event with the same expected version', async () => {
    const client = connect(emulator);
    const stream = `delivery-${randomUUID()}`;
    await client.appendToStream(stream, event(), { expectedRevision: 'no_stream' });
    await expect(
      client.appendToStream(stream, event(), { expectedRevision: 'no_stream' }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
  });

  it('drops copies that arrive before the original is indexed: they time out after 2 s', async () => {
    const client = connect(emulator);
    const stream = `delivery-${randomUUID()}`;
    const id = randomUUID();
    await append(client, `warm-up-${randomUUID()}`);
    const started = Date.now();
    const answers = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        client.appendToStream(stream, event('Received', {}, id), { expectedRevision: 'no_stream' }),
      ),
    );
    const succeeded = answers.filter((answer) => answer.status === 'fulfilled');
    const timedOut = answers.filter(
      (answer) => answer.status === 'rejected' && answer.reason instanceof DeadlineExceededError,
    );
    expect(succeeded.length + timedOut.length).toBe(10);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(timedOut.length).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(await collect(client.readStream(stream))).toHaveLength(1);
  });
});

describe('EventStoreDB emulator: the max append size', () => {
  it('takes an append whose data is exactly MaxAppendSize and refuses one byte more (v24.10)', async () => {
    const emulator = await startEsdbEmulator({ maxAppendSize: 1_000, systemEvents: false });
    try {
      const client = connect(emulator);
      const stream = `big-${randomUUID()}`;
      const sized = (bytes: number) =>
        binaryEvent({ type: 'Big', data: Buffer.alloc(bytes), metadata: Buffer.alloc(500) });
      // Only the data counts in v24.10 (Event.SizeOnDisk's operator precedence).
      expect((await client.appendToStream(stream, sized(1_000))).success).toBe(true);
      const refusal = await client
        .appendToStream(stream, [sized(600), sized(401)])
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(MaxAppendSizeExceededError);
      expect((refusal as MaxAppendSizeExceededError).maxAppendSize).toBe(1_000);
      expect(await collect(client.readStream(stream))).toHaveLength(1);
    } finally {
      await emulator.stop();
    }
  });

  it('refuses an event over MaxAppendEventSize with the error 6.2.1 cannot name (v25.1)', async () => {
    const emulator = await startEsdbEmulator({
      maxAppendSize: 1_000,
      appendSizeRule: 'v25.1',
      systemEvents: false,
    });
    try {
      const client = connect(emulator);
      const stream = `big-${randomUUID()}`;
      // data + metadata + 2 x type length: 990 + 2 + 2 * 4 = 1000.
      const fits = binaryEvent({
        type: 'Big1',
        data: Buffer.alloc(990),
        metadata: Buffer.alloc(2),
      });
      const over = binaryEvent({
        type: 'Big1',
        data: Buffer.alloc(991),
        metadata: Buffer.alloc(2),
      });
      expect((await client.appendToStream(stream, [fits, fits])).success).toBe(true);
      const refusal = await client.appendToStream(stream, over).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(UnknownError);
      expect(String(refusal)).toContain('MaximumAppendEventSizeExceeded');
    } finally {
      await emulator.stop();
    }
  });
});

describe('EventStoreDB emulator: system events', () => {
  it('interleaves $-prefixed system events in $all, which excludeSystemEvents skips', async () => {
    const emulator = await startEsdbEmulator();
    try {
      const client = connect(emulator);
      const stream = `order-${randomUUID()}`;
      for (let n = 0; n < 12; n++) await append(client, stream);
      await eventually(() => emulator.size === 7 + 12 + 1);
      const all = await collect(client.readAll());
      const types = all.map((resolved) => resolved.event!.type);
      expect(types.slice(0, 3)).toEqual(['$epoch-information', '$metadata', '$metadata']);
      expect(types).toContain('$statsCollected');
      const stats = all.findIndex((resolved) => resolved.event!.type === '$statsCollected');
      expect(all[stats - 1]!.event!.streamId).toBe(stream);
      expect(all[stats + 1]!.event!.streamId).toBe(stream);

      const seen: string[] = [];
      const subscription = client.subscribeToAll({ filter: excludeSystemEvents() });
      subscription.on('data', (resolved: AllStreamResolvedEvent) =>
        seen.push(resolved.event!.type),
      );
      await eventually(() => seen.length === 12);
      await subscription.unsubscribe();
      expect(new Set(seen)).toEqual(new Set(['Happened']));
    } finally {
      await emulator.stop();
    }
  });

  it('writes a foreign or system event directly and returns its position', async () => {
    const emulator = await startEsdbEmulator({ systemEvents: false });
    try {
      const client = connect(emulator);
      const position = emulator.appendDirect('$stats-x', '$statsCollected', { a: 1 });
      const [last] = await collect(
        client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
      );
      expect(last!.event!.position.commit).toBe(position);
      expect(last!.event!.type).toBe('$statsCollected');
      expect(emulator.size).toBe(1);
    } finally {
      await emulator.stop();
    }
  });
});

describe('EventStoreDB emulator: faults', () => {
  let emulator: EsdbEmulator;
  beforeEach(async () => {
    emulator = await startEsdbEmulator({ systemEvents: false });
  });
  afterEach(() => emulator.stop());

  function failureOf(subscription: {
    on(event: 'error', listener: (error: Error) => void): unknown;
  }) {
    return new Promise<Error>((resolve) => subscription.on('error', resolve));
  }

  it('counts open calls and releases them when reads end', async () => {
    const client = connect(emulator);
    await append(client, `order-${randomUUID()}`);
    const subscription = client.subscribeToAll();
    subscription.on('data', () => undefined);
    await eventually(() => emulator.openCalls >= 2); // the subscription and the batch-append call
    await subscription.unsubscribe();
    await client.dispose();
    await eventually(() => emulator.openCalls === 0);
  });

  it('drops the oldest subscription only, with UNAVAILABLE', async () => {
    const client = connect(emulator);
    const oldest = client.subscribeToAll();
    oldest.on('data', () => undefined);
    await eventually(() => emulator.openCalls === 1);
    const newer = client.subscribeToAll();
    const newerSeen: string[] = [];
    newer.on('data', (resolved: AllStreamResolvedEvent) =>
      newerSeen.push(resolved.event!.streamId),
    );
    await eventually(() => emulator.openCalls === 2);
    const failed = failureOf(oldest);
    emulator.faults.dropOneSubscription();
    expect(await failed).toBeInstanceOf(UnavailableError);
    const stream = `order-${randomUUID()}`;
    await append(client, stream);
    await eventually(() => newerSeen.includes(stream));
    await newer.unsubscribe();
  });

  it('drops every call and connection; the client reconnects on its next call', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await append(client, stream);
    const subscription = client.subscribeToAll();
    subscription.on('data', () => undefined);
    await eventually(() => emulator.openCalls === 2);
    const failed = failureOf(subscription);
    emulator.faults.dropAllConnections();
    expect(await failed).toBeInstanceOf(UnavailableError);
    await eventually(() => emulator.openCalls === 0);
    let appended = false;
    for (let attempt = 0; attempt < 5 && !appended; attempt++) {
      appended = await append(client, stream).then(
        () => true,
        () => false,
      );
    }
    expect(appended).toBe(true);
    expect(await collect(client.readStream(stream))).toHaveLength(2);
  });

  it('refuses connections while stopped, with UNAVAILABLE', async () => {
    const client = connect(emulator);
    await append(client, `order-${randomUUID()}`);
    await emulator.stop();
    // Client 6.2.1 rethrows the ServerFeatures call's gRPC error as it is (code 14),
    // not as its UnavailableError.
    await expect(append(client, `order-${randomUUID()}`)).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    await expect(collect(client.readStream(`order-${randomUUID()}`))).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('delays every reply', async () => {
    const client = connect(emulator);
    await append(client, `order-${randomUUID()}`);
    emulator.faults.delayReplies(200);
    const started = Date.now();
    await append(client, `order-${randomUUID()}`);
    await collect(client.readAll({ maxCount: 1 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    emulator.faults.delayReplies(0);
  });

  it('answers appends NotLeader with its own endpoint; the client follows it', async () => {
    const client = connect(emulator);
    await append(client, `order-${randomUUID()}`);
    emulator.faults.notLeader(true);
    const refusal = await append(client, `order-${randomUUID()}`).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(NotLeaderError);
    expect((refusal as NotLeaderError).leader).toEqual({
      address: '127.0.0.1',
      port: emulator.port,
    });
    emulator.faults.notLeader(false);
    expect((await append(client, `order-${randomUUID()}`)).success).toBe(true);
  });

  it('fails appends with UNAVAILABLE while reads still work', async () => {
    const client = connect(emulator);
    const stream = `order-${randomUUID()}`;
    await append(client, stream);
    emulator.faults.failAppends(true);
    await expect(append(client, stream)).rejects.toBeInstanceOf(UnavailableError);
    expect(await collect(client.readStream(stream))).toHaveLength(1);
    emulator.faults.failAppends(false);
    let appended = false;
    for (let attempt = 0; attempt < 3 && !appended; attempt++) {
      appended = await append(client, stream).then(
        () => true,
        () => false,
      );
    }
    expect(appended).toBe(true);
  });

  it('answers gossip for esdb+discover:// as the single leader', async () => {
    const client = connect(emulator, true);
    const stream = `order-${randomUUID()}`;
    await append(client, stream);
    expect(await collect(client.readStream(stream))).toHaveLength(1);
  });

  it('reproduces issue 10 item 5: client 6.2.1 keeps a failed discovery for appends, reads recover', async () => {
    emulator.faults.failDiscovery(true);
    const client = EventStoreDBClient.connectionString(
      `${emulator.discoverConnectionString}&maxDiscoverAttempts=2&discoveryInterval=10`,
    );
    clients.push(client);
    const stream = `order-${randomUUID()}`;
    await expect(append(client, stream)).rejects.toThrow(/Failed to discover/);
    emulator.faults.failDiscovery(false);
    // The server-features promise (Client/index.js `capabilities`) holds the failure.
    await expect(append(client, stream)).rejects.toThrow(/Failed to discover/);
    await expect(collect(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(append(client, stream)).rejects.toThrow(/Failed to discover/);
  });

  it('fails discovery while on: a discovering client cannot connect', async () => {
    emulator.faults.failDiscovery(true);
    const client = EventStoreDBClient.connectionString(
      `${emulator.discoverConnectionString}&maxDiscoverAttempts=2&discoveryInterval=10`,
    );
    clients.push(client);
    await expect(collect(client.readStream(`order-${randomUUID()}`))).rejects.toThrow(
      /Failed to discover/,
    );
  });
});
