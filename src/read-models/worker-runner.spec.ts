import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { syntheticEvent } from '../../bench/synthetic-events';
import { sqliteLogFile } from '../event-store/sqlite/log-file';
import {
  openSqliteEventStore,
  type SqliteEventStore,
} from '../event-store/sqlite/sqlite-event-store';
import { LiveProjections, type ProjectionWorkers } from './live-projections';
import { FOLLOWED_EVENTS, ProjectionRunner } from './projection-runner';
import { serviceProjections } from '../projections/service-projections';
import { ReadModelStore } from './storage/read-model-store';
import { WorkerRunner } from './worker-runner';

const defaultCurrencies = new Map([['*', 'USD']]);
const projections = serviceProjections({ defaultCurrencies });

/** What `npm run verify` compares, table by table. */
const TABLES = [
  'SELECT collection, key, body FROM documents ORDER BY collection, key',
  `SELECT projection, position, seq, entity_kind, entity_key, owner_key, outcome, event_id,
     stream_id, provider_type, received_at, detail FROM ledger_entries ORDER BY projection, position, seq`,
  'SELECT projection, version, position, handled, not_understood, failed FROM projection_checkpoints ORDER BY projection',
  'SELECT projection, position, event_id, event_type, reason FROM not_understood ORDER BY projection, position',
];
const dump = (db: Database.Database): unknown[][] => TABLES.map((sql) => db.prepare(sql).all());

function dumpFile(directory: string, fileName?: string): unknown[][] {
  const store = new ReadModelStore({ directory, ...(fileName === undefined ? {} : { fileName }) });
  try {
    return dump(store.db);
  } finally {
    store.close();
  }
}

function workersFor(dataDir: string, store: SqliteEventStore): ProjectionWorkers {
  return {
    log: { kind: 'sqlite', dataDir },
    defaultCurrencies,
    commits: (listener) => store.onCommit(listener),
  };
}

async function append(store: SqliteEventStore, from: number, count: number): Promise<bigint> {
  let last = 0n;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const { stream, data } = syntheticEvent(from + i);
      const { position } = await store.append(stream, [data], { expectedRevision: 'no_stream' });
      if (position > last) last = position;
    }),
  );
  return last;
}

/** The same log projected from scratch on this thread: what the live read models must equal. */
async function recomputed(store: SqliteEventStore, dir: string): Promise<unknown[][]> {
  const scratch = new ReadModelStore(
    { directory: dir, fileName: 'scratch.sqlite' },
    { building: true },
  );
  const runner = new ProjectionRunner({ store, readModels: scratch, projections });
  try {
    await runner.start();
    const head = (await store.headPosition(FOLLOWED_EVENTS)) ?? 0n;
    expect(await runner.waitForPosition(head, 60_000)).toBe(true);
    await runner.stop();
    scratch.close();
    return dumpFile(dir, 'scratch.sqlite');
  } finally {
    scratch.close();
  }
}

function workerOf(live: LiveProjections): WorkerRunner {
  const runner = live.current.runner;
  if (!(runner instanceof WorkerRunner)) throw new Error('the runner is not on a worker');
  return runner;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('projections on a worker thread', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'worker-runner-'));
    store = openSqliteEventStore({ file: sqliteLogFile(dir) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds the log on the worker; queries and read-your-writes here see its commits', async () => {
    const live = new LiveProjections(store, dir, projections, undefined, workersFor(dir, store));
    await live.start();
    try {
      expect(live.status().projections.map((p) => p.state)).toEqual([
        'running',
        'running',
        'running',
      ]);
      const head = await append(store, 0, 200);
      expect(await live.waitForPosition(head, 10_000)).toBe(true);
      expect(live.status().projections.every((p) => p.checkpoint === head)).toBe(true);
      // This thread's connection reads what the worker wrote, and writes nothing itself.
      expect(live.current.readModels.listCampaigns({ limit: 5, offset: 0 }).total).toBeGreaterThan(
        0,
      );
      expect(() => live.current.store.db.exec('DELETE FROM documents')).toThrow(/readonly/);
    } finally {
      await live.stop();
    }
    expect(dumpFile(dir)).toEqual(await recomputed(store, dir));
  });

  it('loses nothing and applies nothing twice when the worker is killed mid-batch under load', async () => {
    const live = new LiveProjections(store, dir, projections, undefined, workersFor(dir, store));
    const changes: string[] = [];
    await live.start();
    let load: Promise<void> | undefined;
    try {
      let next = 0;
      let stopLoad = false;
      load = (async () => {
        while (!stopLoad) {
          await append(store, next, 25);
          next += 25;
        }
      })();
      for (let kill = 0; kill < 3; kill += 1) {
        // Killed while it folds: the log grows under it, so a batch is under way.
        await sleep(200);
        await workerOf(live).terminate();
        const status = live.status().projections[0];
        expect(status?.state).toBe('retrying');
        expect(status?.retry?.lastError).toMatch(/projection worker exited/);
        changes.push(status?.state ?? '');
        for (let i = 0; i < 100 && live.current.runner.currentState !== 'running'; i += 1)
          await sleep(50);
        if (live.current.runner.currentState !== 'running')
          console.log(
            JSON.stringify(live.status(), (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
          );
        expect(live.current.runner.currentState).toBe('running');
      }
      stopLoad = true;
      await load;
      const head = (await store.headPosition(FOLLOWED_EVENTS)) ?? 0n;
      expect(head).toBeGreaterThan(75n);
      expect(await live.waitForPosition(head, 30_000)).toBe(true);
    } finally {
      await live.stop();
    }
    expect(changes).toEqual(['retrying', 'retrying', 'retrying']);
    expect(dumpFile(dir)).toEqual(await recomputed(store, dir));
  }, 120_000);
});
