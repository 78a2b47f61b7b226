import { ConcurrencyError, StoreUnavailableError } from '../event-store/event-store.errors';
import { APPEND_FAILURE_HOLD_MS, describeStoreError, StoreHealth } from './store-health';

function tracker(): { health: StoreHealth; lines: string[]; advance: (ms: number) => void } {
  let now = 1_000_000;
  const lines: string[] = [];
  const health = new StoreHealth(
    { log: (m) => lines.push(`log ${m}`), warn: (m) => lines.push(`warn ${m}`) },
    () => now,
  );
  return { health, lines, advance: (ms) => (now += ms) };
}

const full = new StoreUnavailableError('the embedded event log refused an append: disk is full');

describe('StoreHealth', () => {
  it('reports appends failing from the first failure until one succeeds, in one line each way', () => {
    const { health, lines } = tracker();
    health.pinged(true);
    for (let n = 0; n < 50; n += 1) health.appendFailed(full);
    expect(health.appendsFailing()).toMatchObject({ failures: 50, lastError: full.message });
    health.pinged(true);
    expect(health.appendsFailing()).toBeDefined();
    health.appendSucceeded();
    expect(health.appendsFailing()).toBeUndefined();
    expect(lines).toEqual([
      `warn appends to the event log fail: ${full.message}`,
      expect.stringMatching(/^log appends to the event log succeed again after 50 failed/),
    ]);
  });

  it('lets readiness go green again a while after the last failure, when no append came to prove it', () => {
    const { health, advance } = tracker();
    health.pinged(true);
    health.appendFailed(full);
    advance(APPEND_FAILURE_HOLD_MS - 1);
    expect(health.appendsFailing()).toBeDefined();
    advance(2);
    expect(health.appendsFailing()).toBeUndefined();
  });

  it('ends failures of an unreachable store as soon as a ping answers again', () => {
    const { health } = tracker();
    health.appendFailed(new StoreUnavailableError('connect ECONNREFUSED'));
    health.pinged(false);
    expect(health.appendsFailing()).toBeDefined();
    health.pinged(true);
    expect(health.appendsFailing()).toBeUndefined();
  });

  it('counts a conflict as an answer and ignores errors that are not the store being unavailable', () => {
    const { health } = tracker();
    health.appendFailed(new TypeError('ours'));
    expect(health.appendsFailing()).toBeUndefined();
    health.appendFailed(full);
    health.appendFailed(new ConcurrencyError('webhook-x', 'no_stream', 0n));
    expect(health.appendsFailing()).toBeUndefined();
  });

  it('masks the credentials of a connection string in what it reports', () => {
    const error = new StoreUnavailableError('failed', {
      cause: new Error('esdb://admin:changeit@db:2113 refused'),
    });
    expect(describeStoreError(error)).toBe('failed: esdb://***@db:2113 refused');
  });
});
