/**
 * bench:ingest — in one run: bare Fastify answering a 2 KB POST (the
 * baseline), then the service ingesting signed GrowSurf deliveries and signed
 * Wix JWT deliveries (unique keys, embedded store, 64 connections). Load comes
 * from a second process on 127.0.0.1. Prints req/s, p50, p99 and the ratios.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createApp } from '../src/app';
import { LiveProjections } from '../src/read-models/live-projections';
import { loadConfig } from '../src/config/load-config';
import { testEnv } from '../test/support/start-app';
import { growsurfDeliveries, wixDeliveries, type PreparedRequest } from './ingest-deliveries';
import type { LoadResult } from './load-generator';

const CONNECTIONS = 64;
const work = mkdtempSync(join(tmpdir(), 'bench-ingest-'));

async function runLoad(
  url: string,
  requests: PreparedRequest[],
  seconds?: number,
): Promise<LoadResult> {
  const file = join(work, `requests-${Date.now()}.jsonl`);
  writeFileSync(file, requests.map((request) => JSON.stringify(request)).join('\n'));
  const args = [
    '--transpile-only',
    join(__dirname, 'load-generator.ts'),
    url,
    file,
    String(CONNECTIONS),
  ];
  if (seconds !== undefined) args.push(String(seconds));
  const { stdout: output } = await promisify(execFile)(
    require.resolve('ts-node/dist/bin.js'),
    args,
    {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as LoadResult;
}

async function bareFastify(body: string): Promise<LoadResult> {
  const server = Fastify({ logger: false });
  server.post('/ingest', async () => ({ status: 'recorded' }));
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  await runLoad(
    url,
    [{ path: '/ingest', headers: { 'content-type': 'application/json' }, body }],
    2,
  ); // warm-up
  const result = await runLoad(
    url,
    [{ path: '/ingest', headers: { 'content-type': 'application/json' }, body }],
    8,
  );
  await server.close();
  return result;
}

/**
 * The whole service, projections folding every delivery live in the same
 * process; or (`intakeOnly`) with the projection runner stopped, to show what
 * intake alone costs.
 */
async function service(
  requests: PreparedRequest[],
  warmup: PreparedRequest[],
  intakeOnly = false,
): Promise<LoadResult> {
  const dataDir = mkdtempSync(join(work, 'data-'));
  // BENCH_SEALED=1: deliveries sealed as with SUBJECT_MASTER_KEY (docs/erasure.md).
  const sealed =
    process.env.BENCH_SEALED === '1'
      ? { SUBJECT_MASTER_KEY: Buffer.alloc(32, 7).toString('hex') }
      : {};
  const app = await createApp(loadConfig({ ...testEnv(dataDir), LOG_LEVEL: 'error', ...sealed }));
  await app.listen(0, '127.0.0.1');
  if (intakeOnly) await app.get(LiveProjections).current.runner.stop();
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await runLoad(url, warmup);
  const result = await runLoad(url, requests);
  await app.close();
  return result;
}

function line(name: string, result: LoadResult, baseline?: LoadResult): string {
  const ratio = baseline === undefined ? '1.00' : (result.rps / baseline.rps).toFixed(2);
  const failures = result.non2xx + result.errors + result.timeouts;
  return `${name.padEnd(26)} ${result.rps.toFixed(0).padStart(8)} req/s  p50 ${String(result.p50).padStart(3)} ms  p99 ${String(result.p99).padStart(3)} ms  x${ratio} of bare  (${result.requests} requests, ${failures} not 2xx)`;
}

async function main(): Promise<void> {
  const growsurf = growsurfDeliveries(62_000);
  const wix = wixDeliveries(26_000);
  const sample = growsurf[0]!.body;
  console.log(
    `bench:ingest on ${process.version}, ${CONNECTIONS} connections, bodies ~${sample.length} bytes`,
  );
  const bare = await bareFastify(sample);
  console.log(line('bare Fastify (2 KB POST)', bare));
  const growsurfResult = await service(growsurf.slice(2_000), growsurf.slice(0, 2_000));
  console.log(line('service: GrowSurf signed', growsurfResult, bare));
  // A fresh data directory: the same deliveries are new to it.
  const intakeOnly = await service(growsurf.slice(2_000), growsurf.slice(0, 2_000), true);
  console.log(line('  intake only (no projections)', intakeOnly, bare));
  const wixResult = await service(wix.slice(1_000), wix.slice(0, 1_000));
  console.log(line('service: Wix JWT (RS256)', wixResult, bare));
  console.log('targets: GrowSurf >= 0.5x, Wix >= 0.4x of bare Fastify, p99 <= 25 ms');
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
