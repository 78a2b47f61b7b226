import { Observable, Subject, type Subscriber } from 'rxjs';
import { StoreUnavailableError } from '../event-store/event-store.errors';
import type {
  EventStore,
  RecordedEvent,
  SubscribeToAllOptions,
} from '../event-store/event-store.port';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { ingestWebhook } from '../webhooks/ingest-webhook';
import type { Projection } from '../projections/projection';
import {
  ProjectionRunner,
  retryDelay,
  type RetryPolicy,
  type RunnerStateChange,
} from './projection-runner';
import { ReadModels } from './read-models';
import { ReadModelStore } from './storage/read-model-store';
import { serviceProjections } from '../projections/service-projections';
import { talkable } from '../projections/testing/recorded-webhooks';

const projections: readonly Projection[] = serviceProjections({
  defaultCurrencies: new Map([['*', 'USD']]),
});
const BOB = 'talkable:test-site:referrer@example.com';
const FAST: RetryPolicy = {
  initialDelayMs: 10,
  maxDelayMs: 40,
  settleMs: 50,
  attemptTimeoutMs: 200,
};

/**
 * A real in-memory log behind a switch: while `down`, the head cannot be read,
 * new subscriptions fail and live ones are dropped, as with a store that went away.
 */
class FlakyStore {
  readonly log = openSqliteEventStore({ inMemory: true });
  down = false;
  /** While on, a head read never answers, as over a network that drops packets silently. */
  silent = false;
  headCalls = 0;
  private readonly live = new Set<Subscriber<RecordedEvent>>();

  readonly store: EventStore = new Proxy(this.log, {
    get: (target, property) => {
      if (property === 'headPosition') return () => this.headPosition();
      if (property === 'subscribeToAll')
        return (options?: SubscribeToAllOptions) => this.subscribeToAll(options);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });

  goDown(): void {
    this.down = true;
    for (const subscriber of [...this.live])
      subscriber.error(new StoreUnavailableError('connection reset (fake)'));
  }

  private async headPosition(): Promise<bigint | undefined> {
    this.headCalls += 1;
    if (this.silent) return new Promise(() => undefined);
    if (this.down) throw new StoreUnavailableError('connection refused (fake)');
    return this.log.headPosition();
  }

  private subscribeToAll(options?: SubscribeToAllOptions): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      if (this.down) {
        subscriber.error(new StoreUnavailableError('connection refused (fake)'));
        return undefined;
      }
      this.live.add(subscriber);
      const inner = this.log.subscribeToAll(options).subscribe(subscriber);
      return () => {
        this.live.delete(subscriber);
        inner.unsubscribe();
      };
    });
  }
}

function request() {
  return { rawBody: Buffer.from(''), headers: {}, params: {}, receivedAt: new Date('2024-07-01') };
}

async function share(store: EventStore, n: number): Promise<bigint> {
  const event = talkable('post-share', { dedupeKey: `share ${n}` });
  return (await ingestWebhook(store, () => event, request())).position;
}

function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const look = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('condition not met in time'));
      setTimeout(look, 5);
    };
    look();
  });
}

/** Waits for the runner to apply `position`, asking again while it answers false at once (retrying). */
async function reach(
  runner: ProjectionRunner,
  position: bigint,
  timeoutMs = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await runner.waitForPosition(position, 100)) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

describe('ProjectionRunner when the store fails', () => {
  let flaky: FlakyStore;
  let readModels: ReadModelStore;
  let runner: ProjectionRunner;
  let changes: RunnerStateChange[];

  beforeEach(() => {
    flaky = new FlakyStore();
    readModels = new ReadModelStore({ inMemory: true });
    changes = [];
    runner = new ProjectionRunner({
      store: flaky.store,
      readModels,
      projections,
      retry: FAST,
      onStateChange: (change) => changes.push(change),
    });
  });
  afterEach(async () => {
    await runner.stop();
    readModels.close();
    await flaky.log.close();
  });

  const states = (): string[] => runner.status().map((s) => s.state);
  const shares = (): number | undefined =>
    new ReadModels(readModels).getParticipant(BOB)?.participant.shares;

  it('doubles its delay from the initial one and never past the cap', () => {
    expect([1, 2, 3, 4, 5, 60].map((n) => retryDelay(n, FAST))).toEqual([10, 20, 40, 40, 40, 40]);
  });

  it('starts with the log unreachable, retries with backoff, and follows it once it answers', async () => {
    await share(flaky.log, 1);
    flaky.down = true;
    await runner.start();
    expect(states()).toEqual(['retrying', 'retrying', 'retrying']);
    await waitUntil(() => flaky.headCalls >= 4);
    const [status] = runner.status();
    expect(status?.retry).toMatchObject({
      attempts: expect.any(Number) as number,
      lastError: 'connection refused (fake)',
    });
    expect(Date.parse(status?.retry?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(status?.retry?.since ?? ''),
    );

    flaky.down = false;
    const head = await share(flaky.log, 2);
    expect(await reach(runner, head)).toBe(true);
    await waitUntil(() => states().every((s) => s === 'running'));
    expect(shares()).toBe(2);
    expect(runner.status()[0]?.retry).toBeUndefined();
    // One change into retrying and one out of it, however many attempts failed.
    expect(changes.map((c) => `${c.previous}->${c.state}`)).toEqual([
      'idle->starting',
      'starting->retrying',
      'retrying->running',
    ]);
    expect(changes[2]?.failedAttempts).toBeGreaterThanOrEqual(3);
  });

  it('gives up on a head read that never answers and tries again, instead of waiting forever', async () => {
    flaky.silent = true;
    const started = Date.now();
    await runner.start();
    expect(Date.now() - started).toBeGreaterThanOrEqual(FAST.attemptTimeoutMs - 5);
    expect(runner.status()[0]?.retry?.lastError).toMatch(/did not answer .* within 200 ms/);
    flaky.silent = false;
    await waitUntil(() => states().every((s) => s === 'running'));
  });

  it('resumes a dropped subscription from its checkpoint: no event skipped, none applied twice', async () => {
    await runner.start();
    let head = 0n;
    for (let n = 0; n < 5; n += 1) head = await share(flaky.log, n);
    expect(await reach(runner, head)).toBe(true);

    flaky.goDown();
    expect(states()).toEqual(['retrying', 'retrying', 'retrying']);
    // Written while the runner cannot read them.
    for (let n = 5; n < 10; n += 1) head = await share(flaky.log, n);
    await waitUntil(() => flaky.headCalls >= 3);
    flaky.down = false;

    expect(await reach(runner, head)).toBe(true);
    expect(shares()).toBe(10);
    expect(runner.status().find((s) => s.projection === 'ledger')?.handled).toBe(10n);
    await waitUntil(() => states().every((s) => s === 'running'));
  });

  it('retries a read-model commit refused by a full disk (SQLITE_FULL) until space is freed, then resumes', async () => {
    await runner.start();
    const first = await share(flaky.log, 0);
    expect(await reach(runner, first)).toBe(true);

    // The read-model file may not grow by a page more: every commit that needs one fails as on a full disk.
    const pages = Number(readModels.db.pragma('page_count', { simple: true }));
    readModels.db.pragma(`max_page_count = ${pages}`);
    let head = first;
    for (let n = 1; n <= 200; n += 1) head = await share(flaky.log, n);
    await waitUntil(() => states().every((s) => s === 'retrying'));
    const [status] = runner.status();
    expect(status?.retry?.lastError).toMatch(/full/);
    // Batches that fit in the file's free pages may commit first; from then on the checkpoint stays put.
    const stuck = status?.checkpoint ?? null;
    expect(stuck !== null && stuck >= first && stuck < head).toBe(true);
    await waitUntil(() => (runner.status()[0]?.retry?.attempts ?? 0) >= 3);
    expect(runner.status()[0]?.checkpoint).toBe(stuck);
    expect(changes.filter((c) => c.state === 'retrying')).toHaveLength(1);

    readModels.db.pragma('max_page_count = 1073741823');
    expect(await reach(runner, head)).toBe(true);
    expect(shares()).toBe(201);
    expect(runner.status().find((s) => s.projection === 'ledger')?.handled).toBe(201n);
    expect(states()).toEqual(['running', 'running', 'running']);
  });

  it('answers waiters false at once when it loses the log, and new ones too until it follows it again', async () => {
    await runner.start();
    const waiting = runner.waitForPosition(1_000n, 60_000);
    flaky.goDown();
    const started = Date.now();
    expect(await waiting).toBe(false);
    expect(await runner.waitForPosition(1_000n, 60_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stays stopped when stopped while retrying: no attempt after stop', async () => {
    flaky.down = true;
    await runner.start();
    await runner.stop();
    const calls = flaky.headCalls;
    flaky.down = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(flaky.headCalls).toBe(calls);
    expect(states()).toEqual(['stopped', 'stopped', 'stopped']);
  });
});

describe('ProjectionRunner and errors not classed as unavailable', () => {
  it('retries after any subscription error rather than failing for good', async () => {
    // A subject between the log and the runner lets the test end the subscription with any error.
    const log = openSqliteEventStore({ inMemory: true });
    const readModels = new ReadModelStore({ inMemory: true });
    const subjects: Subject<RecordedEvent>[] = [];
    const store: EventStore = new Proxy(log, {
      get: (target, property) => {
        if (property === 'subscribeToAll')
          return (options?: SubscribeToAllOptions) =>
            new Observable<RecordedEvent>((subscriber) => {
              const subject = new Subject<RecordedEvent>();
              subjects.push(subject);
              const outer = subject.subscribe(subscriber);
              const inner = log.subscribeToAll(options).subscribe(subject);
              return () => {
                outer.unsubscribe();
                inner.unsubscribe();
              };
            });
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const runner = new ProjectionRunner({ store, readModels, projections, retry: FAST });
    try {
      await runner.start();
      subjects[0]?.error(new TypeError('something nobody classified'));
      expect(runner.status()[0]).toMatchObject({
        state: 'retrying',
        retry: { lastError: 'something nobody classified' },
      });
      const head = await share(log, 1);
      await waitUntil(() => subjects.length >= 2);
      expect(await reach(runner, head)).toBe(true);
      await waitUntil(() => runner.status()[0]?.state === 'running');
    } finally {
      await runner.stop();
      readModels.close();
      await log.close();
    }
  });
});
