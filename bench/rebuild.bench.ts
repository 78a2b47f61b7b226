/**
 * bench:rebuild — on the embedded store with BENCH_EVENTS (default 1,000,000)
 * synthetic deliveries in a realistic mix: events/s of merely reading and
 * JSON-parsing the whole log, then events/s of a full rebuild of every
 * projection into empty read models built the way a rebuild builds them
 * (secondary indexes created once at the end, included in the time), and the
 * peak RSS. Same run, same log. It also prints where the rebuild's time went
 * (reading the log, folding, writing the read models), so that the ratio can be
 * read against what each part costs on this machine.
 */
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILDING_BATCH_SIZE } from '../src/read-models/live-projections';
import { ProjectionRunner } from '../src/read-models/projection-runner';
import { serviceProjections } from '../src/projections/service-projections';
import { indexGeneration } from '../src/read-models/storage/maintenance';
import {
  DEFAULT_READ_MODEL_FILE,
  ReadModelStore,
  type Batch,
} from '../src/read-models/storage/read-model-store';
import { storedPayload } from '../src/providers/stored-webhook';
import { describeCollections, describeStatus, openFilledLog } from './synthetic-events';

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

/** Times the writes (serializing and the SQLite transaction) and counts the rows they write. */
class TimedReadModelStore extends ReadModelStore {
  writeNs = 0n;
  documents = 0;
  entries = 0;
  readonly byCollection = new Map<string, number>();

  override commit(batch: Batch): void {
    const started = process.hrtime.bigint();
    super.commit(batch);
    this.writeNs += process.hrtime.bigint() - started;
    this.documents += batch.documents.length;
    this.entries += batch.entries.length;
    for (const doc of batch.documents) {
      this.byCollection.set(doc.collection, (this.byCollection.get(doc.collection) ?? 0) + 1);
    }
  }
}

const cpuSeconds = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;

/**
 * CPU seconds of the calling thread alone (Linux; NaN elsewhere): with other
 * work on the machine, wall-clock phases stretch, CPU seconds much less.
 */
function threadCpuSeconds(): number {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const overall = peakRss();
  const dir = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
  console.log(`bench:rebuild on ${process.version}: ${EVENTS} synthetic deliveries`);
  const { store, head } = await openFilledLog(join(dir, 'events.sqlite'), EVENTS);
  try {
    const load = (): string =>
      loadavg()
        .map((n) => n.toFixed(1))
        .join(' ');
    console.log(`load average before reading: ${load()} (${cpus().length} cores)`);
    let started = Date.now();
    let cpu = process.cpuUsage();
    let read = 0;
    let after: bigint | undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      read += page.events.length;
      if (page.next === undefined) break;
      after = page.next;
    }
    const rawSeconds = (Date.now() - started) / 1000;
    const rawCpu = cpuSeconds(process.cpuUsage(cpu));
    const rawRate = read / rawSeconds;
    console.log(
      `read + JSON.parse the log:   ${rawRate.toFixed(0).padStart(8)} events/s (${read} events)`,
    );
    // Since schema 3 the stored event holds the body, not the payload: reading a
    // delivery's payload means parsing its body too. The second baseline does
    // that much and nothing more, so the rebuild can be read against both.
    started = Date.now();
    let withPayloads = 0;
    after = undefined;
    for (;;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      for (const event of page.events) if (storedPayload(event.data) !== undefined) withPayloads++;
      if (page.next === undefined) break;
      after = page.next;
    }
    const payloadRate = withPayloads / ((Date.now() - started) / 1000);
    console.log(
      `read + parse + payloads read back from the bodies: ${payloadRate.toFixed(0)} events/s (${withPayloads} events)`,
    );

    const rss = peakRss();
    const readModels = new TimedReadModelStore({ directory: dir }, { building: true });
    const runner = new ProjectionRunner({
      store,
      readModels,
      projections: serviceProjections({ defaultCurrencies: new Map([['*', 'USD']]) }),
      batchSize: BUILDING_BATCH_SIZE,
    });
    started = Date.now();
    cpu = process.cpuUsage();
    const mainCpu = threadCpuSeconds();
    await runner.start();
    const reached = await runner.waitForPosition(head, REBUILD_TIMEOUT_MS);
    const folded = (Date.now() - started) / 1000;
    const statuses = runner.status();
    await runner.stop();
    const timings = readModels.writerTimings;
    readModels.close();
    const writer = readModels.writerTimings ?? timings;
    // As a rebuild ends one: indexed on a worker thread once it has caught up.
    await indexGeneration(join(dir, DEFAULT_READ_MODEL_FILE));
    const seconds = (Date.now() - started) / 1000;
    const rebuildCpu = cpuSeconds(process.cpuUsage(cpu));
    const rebuildMainCpu = threadCpuSeconds() - mainCpu;
    const built = new ReadModelStore({ directory: dir });
    const collections = describeCollections(built);
    const cacheDir = process.env.BENCH_LOG_CACHE;
    if (cacheDir !== undefined && reached) {
      // For bench:query on the same log: the read models it would otherwise build again.
      built.db.pragma('wal_checkpoint(TRUNCATE)');
      const cached = join(cacheDir, `read-models-${EVENTS}.sqlite`);
      copyFileSync(join(dir, DEFAULT_READ_MODEL_FILE), `${cached}.partial`);
      renameSync(`${cached}.partial`, cached);
    }
    built.close();
    const peak = rss.stop();
    const rebuildRate = EVENTS / seconds;
    console.log(
      `full rebuild, all projections: ${rebuildRate.toFixed(0).padStart(6)} events/s (${seconds.toFixed(1)} s, of which indexes ${(seconds - folded).toFixed(1)} s${reached ? '' : ', DID NOT FINISH'})`,
    );
    console.log(
      `ratio rebuild / raw: ${(rebuildRate / rawRate).toFixed(2)}x (target >= 0.25x), / read with payloads ${(rebuildRate / payloadRate).toFixed(2)}x; peak RSS during the rebuild ${mib(peak)}, whole run ${mib(overall.stop())}`,
    );
    const writing = Number(readModels.writeNs) / 1e9;
    const perEvent = (n: number): string => (n / EVENTS).toFixed(1);
    console.log(
      `CPU (both threads, this process): raw read ${rawCpu.toFixed(1)} s, rebuild ${rebuildCpu.toFixed(1)} s: ` +
        `${(rawCpu / rebuildCpu).toFixed(2)}x raw per CPU second; the rebuild kept ${(rebuildCpu / seconds).toFixed(2)} cores busy ` +
        `(load average after: ${load()}; other processes take the rest); ` +
        `of the rebuild's, the main thread (reading, folding, handing over) ${rebuildMainCpu.toFixed(1)} s, ` +
        `the other threads (writing, indexing, GC helpers) ${(rebuildCpu - rebuildMainCpu).toFixed(1)} s`,
    );
    console.log(
      `where it went (event loop): reading + parsing the log ~${rawSeconds.toFixed(1)} s (at the raw rate), ` +
        `handing the writes over ${writing.toFixed(1)} s (canonical JSON, into the writer's buffer; ${readModels.documents} document writes, ` +
        `${readModels.entries} ledger entries: ${perEvent(readModels.documents)} and ${perEvent(readModels.entries)} per event), ` +
        `folding ~${(folded - writing - rawSeconds).toFixed(1)} s, indexes ${(seconds - folded).toFixed(1)} s`,
    );
    if (writer !== undefined) {
      console.log(
        `writer thread: ${(writer.writingMs / 1000).toFixed(1)} s writing SQLite beside the fold; ` +
          `the fold waited ${(writer.waitingMs / 1000).toFixed(1)} s for it (included in "handing the writes over")`,
      );
    }
    const writes = [...readModels.byCollection].map(([c, n]) => `${c} ${perEvent(n)}`).join(', ');
    console.log(`document writes per event by collection: ${writes}`);
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
