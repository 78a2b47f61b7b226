import type { EventStore } from '../event-store/event-store.port';
import { timeAppends } from './timed-event-store';

function fakeStore(kind: EventStore['kind'], delayMs: number): EventStore {
  return {
    kind,
    append: () =>
      new Promise((resolve) =>
        setTimeout(() => resolve({ nextExpectedRevision: 0n, position: 1n }), delayMs),
      ),
    ping: () => Promise.resolve(true),
  } as unknown as EventStore;
}

describe('timeAppends', () => {
  it('times each EventStoreDB append from call to answer, and passes the rest through', async () => {
    const took: number[] = [];
    const store = timeAppends(fakeStore('eventstoredb', 30), { appendTook: (ms) => took.push(ms) });
    await store.append('s', [], { expectedRevision: 'no_stream' } as never);
    expect(took).toHaveLength(1);
    expect(took[0]).toBeGreaterThanOrEqual(25);
    expect(await store.ping()).toBe(true);
    expect(store.ping).toBe(store.ping);
  });

  it('leaves the embedded log alone: it reports its group commits itself', () => {
    const sqlite = fakeStore('sqlite', 0);
    expect(timeAppends(sqlite, { appendTook: () => undefined })).toBe(sqlite);
  });
});
