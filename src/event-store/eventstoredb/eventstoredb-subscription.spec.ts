import {
  AccessDeniedError,
  UnavailableError,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { PassThrough } from 'node:stream';
import { firstValueFrom, take, timeout, toArray } from 'rxjs';
import { StoreUnavailableError } from '../event-store.errors';
import type { RecordedEvent } from '../event-store.port';
import {
  followAll,
  resubscribeDelay,
  type AllSubscription,
  type ResubscribePolicy,
  type SubscribeToAllSource,
} from './eventstoredb-subscription';

const FAST: ResubscribePolicy = { initialDelayMs: 1, maxDelayMs: 4, maxAttempts: 3 };

const stored = (
  commit: bigint,
  type = 'reward.approved',
  streamId = 'referral-1',
): ResolvedEvent => ({
  event: {
    id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60',
    type,
    streamId,
    revision: commit,
    isJson: true,
    data: { n: Number(commit) },
    metadata: {},
    created: new Date(0),
    position: { commit, prepare: commit },
  },
});

class FakeSubscription extends PassThrough implements AllSubscription {
  cancelled = false;
  constructor() {
    super({ objectMode: true });
  }
  async unsubscribe(): Promise<void> {
    this.cancelled = true;
  }
}

type Episode = (subscription: FakeSubscription, from: ReadPosition) => void;

/**
 * A server whose n-th subscription plays the n-th episode. It replays from the
 * requested position inclusively on purpose: the subscriber must not repeat
 * what it already delivered even if a server did.
 */
function fakeServer(log: readonly ResolvedEvent[], episodes: readonly Episode[]) {
  const opened: FakeSubscription[] = [];
  const source: SubscribeToAllSource = ({ fromPosition }) => {
    const subscription = new FakeSubscription();
    const episode = episodes[opened.length] ?? (() => undefined);
    opened.push(subscription);
    setImmediate(() => episode(subscription, fromPosition));
    return subscription;
  };
  const replay = (subscription: FakeSubscription, from: ReadPosition, upTo?: bigint): void => {
    subscription.emit('confirmation');
    const start = typeof from === 'string' ? -1n : from.commit;
    for (const event of log) {
      const commit = event.event?.position?.commit ?? -1n;
      if (commit >= start && (upTo === undefined || commit <= upTo)) subscription.write(event);
    }
  };
  return { source, opened, replay };
}

const positions = (events: readonly RecordedEvent[]): bigint[] => events.map((e) => e.position);

describe('catch-up subscription to EventStoreDB $all', () => {
  const log = [10n, 20n, 30n, 40n, 50n].map((p) => stored(p));

  it('re-subscribes after a dropped connection and delivers each event once, in order', async () => {
    const requested: ReadPosition[] = [];
    const server = fakeServer(log, [
      (s, from) => {
        requested.push(from);
        server.replay(s, from, 20n);
        setImmediate(() => s.emit('error', new UnavailableError()));
      },
      (s, from) => {
        requested.push(from);
        s.emit('error', new UnavailableError());
      },
      (s, from) => {
        requested.push(from);
        server.replay(s, from);
      },
    ]);
    const events = await firstValueFrom(
      followAll(server.source, {}, FAST).pipe(take(5), toArray(), timeout(2_000)),
    );
    expect(positions(events)).toEqual([10n, 20n, 30n, 40n, 50n]);
    expect(requested).toEqual([
      'start',
      { commit: 20n, prepare: 20n },
      { commit: 20n, prepare: 20n },
    ]);
  });

  it('resumes from the last event it saw, not from the checkpoint it was given', async () => {
    const requested: ReadPosition[] = [];
    const server = fakeServer(log, [
      (s, from) => {
        requested.push(from);
        server.replay(s, from, 30n);
        s.end();
      },
      (s, from) => {
        requested.push(from);
        server.replay(s, from);
      },
    ]);
    const events = await firstValueFrom(
      followAll(server.source, { after: 10n }, FAST).pipe(take(4), toArray(), timeout(2_000)),
    );
    expect(positions(events)).toEqual([20n, 30n, 40n, 50n]);
    expect(requested).toEqual([
      { commit: 10n, prepare: 10n },
      { commit: 30n, prepare: 30n },
    ]);
  });

  it('applies the whole filter on its side, whichever part the server applied', async () => {
    const mixed = [
      stored(10n, 'reward.approved', 'referral-1'),
      stored(20n, 'referral.recorded', 'referral-1'),
      stored(30n, 'reward.approved', 'payout-1'),
      stored(40n, '$statsCollected', 'referral-1'),
      stored(50n, 'reward.revoked', 'referral-2'),
    ];
    const server = fakeServer(mixed, [(s, from) => server.replay(s, from)]);
    const events = await firstValueFrom(
      followAll(
        server.source,
        { filter: { streamPrefixes: ['referral-'], eventTypePrefixes: ['reward.'] } },
        FAST,
      ).pipe(take(2), toArray(), timeout(2_000)),
    );
    expect(positions(events)).toEqual([10n, 50n]);
  });

  it('fails at once on an error that retrying cannot fix', async () => {
    const server = fakeServer(log, [(s) => s.emit('error', new AccessDeniedError())]);
    await expect(firstValueFrom(followAll(server.source, {}, FAST))).rejects.toBeInstanceOf(
      AccessDeniedError,
    );
    expect(server.opened).toHaveLength(1);
  });

  it('gives up with StoreUnavailableError after the allowed number of failed attempts in a row', async () => {
    const refuse: Episode = (s) => s.emit('error', new UnavailableError());
    const server = fakeServer(log, [refuse, refuse, refuse, refuse, refuse]);
    await expect(firstValueFrom(followAll(server.source, {}, FAST))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(server.opened).toHaveLength(FAST.maxAttempts + 1);
  });

  it('closes the server subscription on unsubscribe and delivers nothing after it', async () => {
    const server = fakeServer(log, [(s) => s.emit('confirmation')]);
    const seen: RecordedEvent[] = [];
    const subscription = followAll(server.source, {}, FAST).subscribe((e) => seen.push(e));
    await new Promise((resolve) => setImmediate(resolve));
    subscription.unsubscribe();
    server.opened[0]?.write(stored(60n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    expect(server.opened[0]?.cancelled).toBe(true);
    expect(server.opened[0]?.destroyed).toBe(true);
  });
});

describe('re-subscribe delay', () => {
  it('doubles from the initial delay and stays under the cap', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 5_000, maxAttempts: 60 };
    expect([1, 2, 3, 4, 6, 7, 60].map((n) => resubscribeDelay(n, policy))).toEqual([
      100, 200, 400, 800, 3_200, 5_000, 5_000,
    ]);
  });
});
