/**
 * bench:rebuild — on the embedded store with BENCH_EVENTS (default 1,000,000)
 * synthetic deliveries in a realistic mix: events/s of merely reading and
 * JSON-parsing the whole log, then events/s of a full rebuild of every
 * projection into empty read models built the way a rebuild builds them
 * (secondary indexes created once at the end, included in the time), and the
 * peak RSS. Same run, same log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../src/event-store/sqlite/sqlite-event-store';
import { BUILDING_BATCH_SIZE } from '../src/projections/live-projections';
import { ProjectionRunner } from '../src/projections/projection-runner';
import { serviceProjections } from '../src/projections/service-projections';
import { indexGeneration } from '../src/projections/storage/maintenance';
import {
  DEFAULT_READ_MODEL_FILE,
  ReadModelStore,
} from '../src/projections/storage/read-model-store';
import { describeCollections, describeStatus, fillLogReported } from './synthetic-events';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
/** Bounds the rebuild: a runner that stalls is reported, not waited for forever. */
const REBUILD_TIMEOUT_MS = 20 * 60_000;

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const overall = peakRss();
  const dir = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
  const store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  try {
    console.log(`bench:rebuild on ${process.version}: ${EVENTS} synthetic deliveries`);
    const head = await fillLogReported(store, EVENTS);
    let started = Date.now();

    started = Date.now();
    let read = 0;
    let after: bigint | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      read += page.events.length;
      if (page.next === undefined) break;
      after = page.next;
    }
    const rawRate = read / ((Date.now() - started) / 1000);
    console.log(
      `read + JSON.parse the log:   ${rawRate.toFixed(0).padStart(8)} events/s (${read} events)`,
    );

    const rss = peakRss();
    const readModels = new ReadModelStore({ directory: dir }, { building: true });
    const runner = new ProjectionRunner({
      store,
      readModels,
      projections: serviceProjections({ defaultCurrencies: new Map([['*', 'USD']]) }),
      batchSize: BUILDING_BATCH_SIZE,
    });
    started = Date.now();
    await runner.start();
    const reached = await runner.waitForPosition(head, REBUILD_TIMEOUT_MS);
    const folded = (Date.now() - started) / 1000;
    const statuses = runner.status();
    await runner.stop();
    readModels.close();
    // As a rebuild ends one: indexed on a worker thread once it has caught up.
    await indexGeneration(join(dir, DEFAULT_READ_MODEL_FILE));
    const seconds = (Date.now() - started) / 1000;
    const built = new ReadModelStore({ directory: dir });
    const collections = describeCollections(built);
    built.close();
    const peak = rss.stop();
    const rebuildRate = EVENTS / seconds;
    console.log(
      `full rebuild, all projections: ${rebuildRate.toFixed(0).padStart(6)} events/s (${seconds.toFixed(1)} s, of which indexes ${(seconds - folded).toFixed(1)} s${reached ? '' : ', DID NOT FINISH'})`,
    );
    console.log(
      `ratio rebuild / raw: ${(rebuildRate / rawRate).toFixed(2)}x (target >= 0.4x); peak RSS during the rebuild ${mib(peak)}, whole run ${mib(overall.stop())}`,
    );
    console.log(`projections: ${describeStatus(statuses)}`);
    console.log(`read models: ${collections}`);
  } finally {
    overall.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
