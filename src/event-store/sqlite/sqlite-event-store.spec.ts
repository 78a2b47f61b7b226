import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { ConcurrencyError, StoreUsageError } from '../event-store.errors';
import type { AppendResult, EventData, JsonObject } from '../event-store.port';
import { openSqliteEventStore, type SqliteEventStore } from './sqlite-event-store';

const event = (type: string, data: JsonObject = {}): EventData => ({
  id: randomUUID(),
  type,
  data,
});

describe('embedded SQLite event store', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = (): SqliteEventStore => {
    const store = openSqliteEventStore({ file });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
    file = join(dir, 'nested', 'events.sqlite');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every confirmed append after close and reopen', async () => {
    const store = open();
    const confirmed = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.append(`s-${i % 5}`, [event('t', { i })], { expectedRevision: 'any' }),
      ),
    );
    await store.close();
    const reopened = open();
    const page = await reopened.readAll({ maxCount: 100 });
    expect(page.events).toHaveLength(50);
    expect(page.events.map((e) => e.position)).toEqual(
      [...confirmed.map((r) => r.position)].sort((a, b) => (a < b ? -1 : 1)),
    );
    expect(await reopened.headPosition()).toBe(50n);
  });

  it('commits appends accepted before close, even ones not yet flushed', async () => {
    const store = open();
    const pending = store.append('s', [event('t')], { expectedRevision: 'no_stream' });
    await store.close();
    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0n, position: 1n });
    expect(await open().readStream('s', { maxCount: 10 })).toHaveLength(1);
  });

  it('refuses appends and reads after close, and closes idempotently', async () => {
    const store = open();
    const closing = [store.close(), store.close()];
    await Promise.all(closing);
    await store.close();
    await expect(store.append('s', [event('t')], { expectedRevision: 'any' })).rejects.toThrow(
      StoreUsageError,
    );
    await expect(store.readAll({ maxCount: 1 })).rejects.toThrow(StoreUsageError);
    await expect(firstValueFrom(store.subscribeToAll())).rejects.toThrow(StoreUsageError);
    expect(await store.ping()).toBe(false);
  });

  it('completes live subscriptions when the store closes', async () => {
    const store = open();
    await store.append('s', [event('t')], { expectedRevision: 'any' });
    const delivered = firstValueFrom(store.subscribeToAll().pipe(toArray()));
    await store.close();
    expect((await delivered).map((e) => e.streamId)).toEqual(['s']);
  });

  it('shares one transaction among 64 concurrent appends', async () => {
    const store = open();
    const before = store.flushCount;
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        store.append(`s-${i}`, [event('t')], { expectedRevision: 'no_stream' }),
      ),
    );
    expect(results).toHaveLength(64);
    expect(store.flushCount - before).toBe(1);
  });

  it('fails only the append whose expected revision is wrong, not the rest of its batch', async () => {
    const store = open();
    await store.append('taken', [event('t')], { expectedRevision: 'no_stream' });
    const before = store.flushCount;
    const outcomes = await Promise.allSettled([
      store.append('a', [event('t')], { expectedRevision: 'no_stream' }),
      store.append('taken', [event('t')], { expectedRevision: 'no_stream' }),
      store.append('b', [event('t')], { expectedRevision: 'any' }),
    ]);
    expect(store.flushCount - before).toBe(1);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: expect.any(ConcurrencyError) });
    expect(await store.readStream('a', { maxCount: 10 })).toHaveLength(1);
    expect(await store.readStream('b', { maxCount: 10 })).toHaveLength(1);
    expect(await store.readStream('taken', { maxCount: 10 })).toHaveLength(1);
  });

  it('applies appends of one batch in arrival order: the first "no_stream" append wins', async () => {
    const store = open();
    const first = event('t.first');
    const outcomes = await Promise.allSettled([
      store.append('race', [first], { expectedRevision: 'no_stream' }),
      store.append('race', [event('t.second')], { expectedRevision: 'no_stream' }),
      store.append('race', [event('t.third')], { expectedRevision: 0n }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { name: 'ConcurrencyError', actual: 0n } });
    const events = await store.readStream('race', { maxCount: 10 });
    expect(events.map((e) => e.type)).toEqual(['t.first', 't.third']);
    expect(events[0]?.id).toBe(first.id);
  });

  it('refuses data that is not serialisable JSON without failing other appends', async () => {
    const store = open();
    const circular: JsonObject = {};
    (circular as Record<string, unknown>).self = circular;
    const outcomes = await Promise.allSettled<AppendResult>([
      store.append('ok', [event('t')], { expectedRevision: 'any' }),
      store.append('bad', [event('t', circular)], { expectedRevision: 'any' }),
      store.append('bad', [event('t', { n: 1n } as unknown as JsonObject)], {
        expectedRevision: 'any',
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(outcomes[1]).toMatchObject({ reason: expect.any(StoreUsageError) });
    expect(outcomes[2]).toMatchObject({ reason: expect.any(StoreUsageError) });
    expect(await store.readStream('ok', { maxCount: 10 })).toHaveLength(1);
  });

  it('refuses a negative expected revision', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    opened.push(store);
    await expect(store.append('s', [event('t')], { expectedRevision: -1n })).rejects.toThrow(
      StoreUsageError,
    );
  });
});
