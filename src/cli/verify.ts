/**
 * npm run verify (compiled: node dist/cli/verify.js) — recomputes every projection from the log into a scratch
 * database and compares it with the live read models, row by row. Prints the
 * differences and exits non-zero on any (or when the live read models are not
 * caught up with the log within VERIFY_WAIT_SECONDS, default 30). Read-only on DATA_DIR (the
 * live read models are opened read-only, the scratch rebuild is in the temporary directory), so it
 * may run beside the service, which it then waits for; a switch meanwhile (a rebuild) says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/load-config';
import { openEventStore } from '../event-store/open-event-store';
import {
  activeGenerationFile,
  BUILDING_BATCH_SIZE,
  InvalidReadModelPointer,
} from '../read-models/live-projections';
import { FOLLOWED_EVENTS, ProjectionRunner } from '../read-models/projection-runner';
import { serviceProjections } from '../projections/service-projections';
import { ReadModelStore } from '../read-models/storage/read-model-store';
import Database from 'better-sqlite3';
import { loadEnvFile } from './env-file';

const TABLES = {
  documents: 'SELECT collection, key, body FROM documents ORDER BY collection, key',
  ledger_entries: `SELECT projection, position, seq, entity_kind, entity_key, owner_key, outcome, event_id,
      stream_id, provider_type, received_at, detail FROM ledger_entries ORDER BY projection, position, seq`,
  checkpoints:
    'SELECT projection, version, position, handled, not_understood, failed FROM projection_checkpoints ORDER BY projection',
  not_understood:
    'SELECT projection, position, event_id, event_type, reason FROM not_understood ORDER BY projection, position',
} as const;

const MAX_SHOWN = 20;

async function main(): Promise<number> {
  loadEnvFile();
  const config = loadConfig(process.env);
  const store = openEventStore(config.eventStore);
  const scratchDir = mkdtempSync(join(tmpdir(), 'referral-ledger-verify-'));
  const liveFile = activeGenerationFile(config.dataDir);
  try {
    // The projections read only what FOLLOWED_EVENTS selects: other events at the end of the log (the
    // unsubscribe markers and backfill note, another application's) are never a position they reach.
    const head = (await store.headPosition(FOLLOWED_EVENTS)) ?? 0n;
    const scratch = new ReadModelStore({ directory: scratchDir }, { building: true });
    const runner = new ProjectionRunner({
      store,
      readModels: scratch,
      projections: serviceProjections(config),
      batchSize: BUILDING_BATCH_SIZE,
    });
    await runner.start();
    if (head > 0n && !(await runner.waitForPosition(head, 10 * 60_000)))
      throw new Error('the scratch rebuild did not reach the head');
    await runner.stop();

    const waitSeconds = Number(process.env.VERIFY_WAIT_SECONDS ?? 30);
    const live = await liveCaughtUp(config.dataDir, liveFile, head, waitSeconds);
    if (live === undefined) {
      console.error(
        `live read models (${liveFile}) have not reached log position ${head} within ${waitSeconds} s`,
      );
      return 1;
    }
    let differences = 0;
    for (const [table, sql] of Object.entries(TABLES)) {
      const expected = rows(scratch.db, sql);
      const actual = rows(live, sql);
      const diff = compare(expected, actual);
      differences += diff.length;
      console.log(
        `${table.padEnd(15)} ${String(expected.length).padStart(8)} rows recomputed, ${String(actual.length).padStart(8)} live, ${diff.length} differences`,
      );
      for (const line of diff.slice(0, MAX_SHOWN)) console.log(`  ${line}`);
    }
    scratch.close();
    live.close();
    // A rebuild (through the service) that switched meanwhile makes the comparison meaningless.
    const nowLive = activeGenerationFile(config.dataDir);
    if (nowLive !== liveFile) {
      console.error(
        `the live read models switched from ${liveFile} to ${nowLive} during verify (a rebuild): run verify again`,
      );
      return 1;
    }
    console.log(
      differences === 0
        ? `verified: the live read models equal a rebuild from the log (up to position ${head})`
        : `${differences} differences`,
    );
    return differences === 0 ? 0 : 1;
  } finally {
    await store.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The live read models may still be catching up (a service that just restarted): wait for the head.
 * Opened read-only: verify runs beside a running service (that is what it waits for), and never
 * writes DATA_DIR (no schema migration, no index, no mode change) whether a service runs or not.
 */
async function liveCaughtUp(
  dataDir: string,
  file: string,
  head: bigint,
  seconds: number,
): Promise<Database.Database | undefined> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const live = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
    live.defaultSafeIntegers(true);
    const positions = live.prepare('SELECT position FROM projection_checkpoints').pluck().all() as (
      bigint | null
    )[];
    if (positions.length > 0 && positions.every((p) => (p ?? 0n) >= head)) return live;
    live.close();
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function rows(db: Database.Database, sql: string): string[] {
  return (db.prepare(sql).all() as Record<string, unknown>[]).map((row) =>
    JSON.stringify(row, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
  );
}

function compare(expected: string[], actual: string[]): string[] {
  const want = new Set(expected);
  const have = new Set(actual);
  return [
    ...expected
      .filter((row) => !have.has(row))
      .map((row) => `missing in live: ${row.slice(0, 240)}`),
    ...actual
      .filter((row) => !want.has(row))
      .map((row) => `unexpected in live: ${row.slice(0, 240)}`),
  ];
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(
      error instanceof ConfigError || error instanceof InvalidReadModelPointer
        ? error.message
        : error,
    );
    process.exitCode = 1;
  },
);
