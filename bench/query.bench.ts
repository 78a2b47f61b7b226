/**
 * bench:query — p50/p99 and req/s of participant lookups and leaderboard
 * pages over the REST API, under concurrent load from a second process, with
 * the read models projected from BENCH_EVENTS (default 1,000,000) synthetic
 * deliveries.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/load-config';
import { openSqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { serviceProjections } from '../src/projections/service-projections';
import { ReadModelStore } from '../src/projections/storage/read-model-store';
import { testEnv } from '../test/support/start-app';
import { TEST_SECRETS } from '../test/support/test-secrets';
import { fillLog } from './synthetic-events';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CONNECTIONS = 32;
const SECONDS = 10;

interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, paths: string[], file: string): Promise<LoadResult> {
  const headers = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
  writeFileSync(
    file,
    paths.map((path) => JSON.stringify({ method: 'GET', path, headers })).join('\n'),
  );
  const { stdout } = await promisify(execFile)(
    require.resolve('ts-node/dist/bin.js'),
    [
      '--transpile-only',
      join(__dirname, 'load-generator.ts'),
      url,
      file,
      String(CONNECTIONS),
      String(SECONDS),
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

/** Keys picked evenly through the table, so lookups spread over the whole data set. */
function sampleKeys(readModels: ReadModelStore, collection: string, count: number): string[] {
  const rows = readModels.db
    .prepare<[string], { key: string }>(
      'SELECT key FROM documents WHERE collection = ? ORDER BY key',
    )
    .all(collection);
  const step = Math.max(1, Math.floor(rows.length / count));
  return rows
    .filter((_, i) => i % step === 0)
    .map((row) => row.key)
    .slice(0, count);
}

const pathOf = (key: string): string => key.split(':').map(encodeURIComponent).join('/');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
  try {
    console.log(
      `bench:query on ${process.version}: read models of ${EVENTS} synthetic deliveries, ${CONNECTIONS} connections, ${SECONDS} s each`,
    );
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    await fillLog(store, EVENTS, (done) => console.log(`  filled ${done}`));
    const readModels = new ReadModelStore({ directory: dir });
    const runner = new ProjectionRunner({
      store,
      readModels,
      projections: serviceProjections({ defaultCurrencies: new Map([['*', 'USD']]) }),
    });
    await runner.start();
    await runner.waitForPosition((await store.headPosition()) ?? 0n, 60 * 60_000);
    await runner.stop();
    const participants = sampleKeys(readModels, 'participant', 5_000);
    const campaigns = sampleKeys(readModels, 'campaign', 100);
    readModels.close();
    await store.close();
    console.log(
      `projected: sampling ${participants.length} participants and ${campaigns.length} campaigns`,
    );

    const app = await createApp(
      loadConfig({ ...testEnv(dir), LOG_LEVEL: 'error', DEFAULT_CURRENCY: 'USD' }),
    );
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const lookups = participants.map((key) => `/participants/${pathOf(key)}`);
    const pages = campaigns.flatMap((key) =>
      [0, 50, 100, 500].map(
        (offset) => `/campaigns/${pathOf(key)}/leaderboard?limit=50&offset=${offset}`,
      ),
    );
    for (const [name, paths] of [
      ['participant lookups', lookups],
      ['leaderboard pages', pages],
    ] as const) {
      await load(url, paths.slice(0, 200), join(dir, 'warmup.jsonl'));
      const result = await load(url, paths, join(dir, `${name}.jsonl`));
      console.log(
        `${name.padEnd(20)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  (${result.requests} requests, ${result.non2xx + result.errors} not 2xx)`,
      );
    }
    console.log('target: p99 <= 10 ms for lookups');
    await app.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
