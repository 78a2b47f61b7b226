/**
 * bench:query — p50/p99 and req/s of participant lookups and leaderboard
 * pages over the REST API, under concurrent load from a second process, with
 * the read models projected from BENCH_EVENTS (default 1,000,000) synthetic
 * deliveries; then the same lookups while a full rebuild runs beside them.
 * The baseline, in the same run: bare Fastify answering the same GETs with a
 * fixed body the size of an average lookup answer.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/load-config';
import { BUILDING_BATCH_SIZE, LiveProjections } from '../src/read-models/live-projections';
import { ProjectionRunner } from '../src/read-models/projection-runner';
import { ReadModels } from '../src/read-models/read-models';
import { serviceProjections } from '../src/projections/service-projections';
import { indexGeneration } from '../src/read-models/storage/maintenance';
import {
  DEFAULT_READ_MODEL_FILE,
  ReadModelStore,
} from '../src/read-models/storage/read-model-store';
import { testEnv } from '../test/support/start-app';
import { TEST_SECRETS } from '../test/support/test-secrets';
import { describeCollections, describeStatus, openFilledLog } from './synthetic-events';
import type { LoadResult } from './load-generator';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CONNECTIONS = 32;
const SECONDS = 10;
const WARMUP_SECONDS = 2;
const WINDOW_SECONDS = 5;

/** A load pass's figures with the server's CPU per request (this process: the server, its threads). */
type Measured = LoadResult & { cpuUsPerRequest: number };

async function load(
  url: string,
  paths: readonly string[],
  file: string,
  seconds: number,
): Promise<Measured> {
  const cpu = process.cpuUsage();
  const result = await loadFromGenerator(url, paths, file, seconds);
  const used = process.cpuUsage(cpu);
  return { ...result, cpuUsPerRequest: (used.user + used.system) / Math.max(1, result.requests) };
}

async function loadFromGenerator(
  url: string,
  paths: readonly string[],
  file: string,
  seconds: number,
): Promise<LoadResult> {
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
      String(seconds),
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 60) * 1000 },
  );
  return toLoadResult(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as unknown);
}

function toLoadResult(value: unknown): LoadResult {
  const record = typeof value === 'object' && value !== null ? value : {};
  const field = (name: string): number => {
    const found: unknown = (record as Record<string, unknown>)[name];
    if (typeof found !== 'number') throw new Error(`load generator: no numeric ${name}`);
    return found;
  };
  return {
    requests: field('requests'),
    seconds: field('seconds'),
    rps: field('rps'),
    p50: field('p50'),
    p99: field('p99'),
    non2xx: field('non2xx'),
    errors: field('errors'),
    timeouts: field('timeouts'),
  };
}

/** Bare Fastify, same paths, same load: what HTTP alone costs on this machine today. */
async function bareFastify(paths: readonly string[], dir: string, body: string): Promise<Measured> {
  const server = Fastify({ logger: false });
  server.get('/*', async (_request, reply) => reply.type('application/json').send(body));
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    await load(url, paths.slice(0, 500), join(dir, 'warmup.jsonl'), WARMUP_SECONDS);
    return await load(url, paths, join(dir, 'bare.jsonl'), SECONDS);
  } finally {
    await server.close();
  }
}

/** The answer to a lookup whose size is nearest the average, for the baseline to send. */
function typicalAnswer(readModels: ReadModels, participants: readonly string[]): string {
  const answers = participants.map((key) => JSON.stringify(readModels.getParticipant(key) ?? {}));
  const mean = answers.reduce((sum, answer) => sum + answer.length, 0) / answers.length;
  return answers.reduce((a, b) => (Math.abs(b.length - mean) < Math.abs(a.length - mean) ? b : a));
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

/** Bounds the projection before the load: a stalled runner is reported, not waited for forever. */
const PROJECT_TIMEOUT_MS = 20 * 60_000;

let seed = 12345;
/** Deterministic pseudo-random in [0, 1), so runs pick the same keys and offsets. */
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Leaderboard pages at random offsets inside each campaign's leaderboard. */
function leaderboardPaths(readModels: ReadModels, campaigns: readonly string[]): string[] {
  const paths = campaigns.flatMap((key) => {
    const { total } = readModels.listLeaderboard(key, { limit: 1, offset: 0 });
    return Array.from({ length: 20 }, () => {
      const offset = Math.floor(random() * Math.max(1, total - 50));
      return `/campaigns/${pathOf(key)}/leaderboard?limit=50&offset=${offset}`;
    });
  });
  return shuffled(paths);
}

/**
 * Participant lookups in windows of WINDOW_SECONDS while POST /projections/rebuild
 * rebuilds every read model beside the live ones, until the switch: the
 * figures of the worst window, and every failed request.
 */
async function duringRebuild(
  url: string,
  paths: readonly string[],
  dir: string,
): Promise<{ windows: Measured[]; seconds: number; state: string }> {
  const admin = {
    authorization: `Bearer ${TEST_SECRETS.adminApiKey}`,
    'content-type': 'application/json',
  };
  const started = Date.now();
  const answer = await fetch(`${url}/projections/rebuild`, {
    method: 'POST',
    headers: admin,
    body: '{}',
  });
  if (answer.status !== 202) throw new Error(`rebuild refused: ${answer.status}`);
  const windows: Measured[] = [];
  for (;;) {
    windows.push(await load(url, paths, join(dir, 'during-rebuild.jsonl'), WINDOW_SECONDS));
    const status = (await (
      await fetch(`${url}/projections/status`, { headers: admin })
    ).json()) as {
      rebuild?: { state: string };
    };
    const state = status.rebuild?.state ?? 'unknown';
    if (state !== 'building' || Date.now() - started > PROJECT_TIMEOUT_MS)
      return { windows, seconds: (Date.now() - started) / 1000, state };
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
  // The app reads DATA_DIR/events.sqlite and DATA_DIR/read-models.sqlite: fill exactly those,
  // with the projections built from the very config the app will run with.
  const config = loadConfig({ ...testEnv(dir), LOG_LEVEL: 'error' });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    console.log(
      `bench:query on ${process.version}: read models of ${EVENTS} synthetic deliveries, ${CONNECTIONS} connections, ${SECONDS} s each`,
    );
    const { store, head } = await openFilledLog(join(dir, 'events.sqlite'), EVENTS);
    const started = Date.now();
    const file = join(dir, DEFAULT_READ_MODEL_FILE);
    // With BENCH_LOG_CACHE, read models built by an earlier run from the same log are reused:
    // the bench measures queries, and bench:rebuild measures building them.
    const cacheDir = process.env.BENCH_LOG_CACHE;
    const cached =
      cacheDir === undefined ? undefined : join(cacheDir, `read-models-${EVENTS}.sqlite`);
    const reused = cached !== undefined && existsSync(cached);
    if (reused) {
      copyFileSync(cached, file);
    } else {
      // Built the way a rebuild builds a generation: indexed and analyzed once at the end.
      const building = new ReadModelStore({ directory: dir }, { building: true });
      const runner = new ProjectionRunner({
        store,
        readModels: building,
        projections: serviceProjections(config),
        batchSize: BUILDING_BATCH_SIZE,
      });
      await runner.start();
      const reached = await runner.waitForPosition(head, PROJECT_TIMEOUT_MS);
      const statuses = runner.status();
      await runner.stop();
      building.close();
      if (!reached)
        throw new Error(`projection did not reach the head: ${describeStatus(statuses)}`);
      await indexGeneration(file);
      if (cached !== undefined) {
        // Checkpointed into the main file first: the copy is the whole database.
        const built = new ReadModelStore({ directory: dir });
        built.db.pragma('wal_checkpoint(TRUNCATE)');
        built.close();
        copyFileSync(file, `${cached}.partial`);
        renameSync(`${cached}.partial`, cached);
      }
    }
    const readModels = new ReadModelStore({ directory: dir });
    console.log(
      `${reused ? `read models copied from ${cached}` : 'projected'} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${describeCollections(readModels)}`,
    );
    const participants = sampleKeys(readModels, 'participant', 5_000);
    const campaigns = sampleKeys(readModels, 'campaign', 100);
    const pages = leaderboardPaths(new ReadModels(readModels), campaigns);
    const answer = typicalAnswer(new ReadModels(readModels), participants);
    readModels.close();
    await store.close();
    console.log(
      `sampling ${participants.length} participants; ${pages.length} leaderboard pages over ${campaigns.length} campaigns`,
    );

    const measureDuringRebuild = async (paths: readonly string[]): Promise<void> => {
      app = await createApp(config);
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      const { windows, seconds, state } = await duringRebuild(url, paths, dir);
      const worst = windows.reduce((a, b) => (b.p99 > a.p99 ? b : a));
      const sum = (field: 'requests' | 'non2xx' | 'errors' | 'timeouts') =>
        windows.reduce((total, w) => total + w[field], 0);
      console.log(
        `participant lookups during a full rebuild (POST /projections/rebuild, ${state} after ${seconds.toFixed(0)} s, ${windows.length} windows of ${WINDOW_SECONDS} s):`,
      );
      console.log(
        `  ${sum('requests')} requests, ${sum('non2xx')} non-2xx, ${sum('errors')} errors, ${sum('timeouts')} timeouts; worst window ${worst.rps.toFixed(0)} req/s p50 ${worst.p50} ms p99 ${worst.p99} ms`,
      );
      await app.close();
      app = undefined;
    };

    const lookups = shuffled(participants).map((key) => `/participants/${pathOf(key)}`);
    const bare = await bareFastify(lookups, dir, answer);
    console.log(
      `  ${'bare Fastify'.padEnd(20)} ${bare.rps.toFixed(0).padStart(7)} req/s  p50 ${bare.p50} ms  p99 ${bare.p99} ms  ${bare.cpuUsPerRequest.toFixed(0)} µs CPU/req  (the same GETs answered with a fixed ${answer.length}-byte body)`,
    );
    const measure = async (label: string): Promise<void> => {
      app = await createApp(config);
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      // The app's own runner must start from the checkpoint we left at the head, not rebuild.
      const booted = app.get(LiveProjections).status();
      const behind = booted.projections.filter((s) => s.checkpoint !== head);
      console.log(
        `${label}: app serves ${booted.live}; its runner starts at ${behind.length === 0 ? `the head (${head})` : `NOT the head: ${describeStatus(behind)}`}`,
      );
      for (const [name, paths] of [
        ['participant lookups', lookups],
        ['leaderboard pages', pages],
      ] as const) {
        await load(url, paths.slice(0, 500), join(dir, 'warmup.jsonl'), WARMUP_SECONDS);
        const r = await load(url, paths, join(dir, `${name}.jsonl`), SECONDS);
        console.log(
          `  ${name.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  ${r.cpuUsPerRequest.toFixed(0)} µs CPU/req  x${(r.rps / bare.rps).toFixed(2)} of bare, p99 x${(r.p99 / Math.max(1, bare.p99)).toFixed(1)}  (${r.requests} requests, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts)`,
        );
      }
      await app.close();
      app = undefined;
    };
    await measure('service on those read models');
    await measureDuringRebuild(lookups);
    console.log(
      'target (issue 12): participant lookups >= 0.3x of bare req/s, p99 <= 3x bare p99 (same run)',
    );
  } finally {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
