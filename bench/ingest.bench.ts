/**
 * bench:ingest — in one run, each for a fixed time, under the same load:
 *   - bare Fastify answering the POST (the HTTP floor);
 *   - the minimal durable intake written by hand (bench/ingest-minimal.ts):
 *     the baseline the service is held to (issue 12);
 *   - the service with projections live, and with its runner stopped (intake only).
 * Load: unique signed GrowSurf deliveries of ~2.3 KB (a new reward for a new
 * friend, advocates drawn from a pool), 64 connections, from a process of its
 * own; each server in a fresh process of its own, so its CPU per request is
 * that process's CPU (all its threads) over the requests answered.
 *
 * Prints figures; it asserts nothing. Absolute figures swing with whatever
 * else the machine runs: compare the ratios within one run, and CPU per request.
 *
 * Environment: BENCH_SECONDS (per pass, default 10), BENCH_WARMUP_SECONDS (3),
 * BENCH_ROUNDS (1; more rounds interleave the passes), BENCH_WIX=1 adds a
 * Wix JWT pass, BENCH_CPU_PROF=<dir> writes there a CPU profile of each
 * server's main thread over its measured window (open it in Chrome DevTools),
 * BENCH_PASSES=bare,minimal,service,intake-only picks passes, BENCH_LOG_LEVEL=log
 * runs the service at the production log level (an access line a request).
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { transpileHookFile } from '../src/threads/transpile-hook';
import { testWixPublicKeyPem } from '../test/support/test-keys';
import { wixDeliveries } from './ingest-deliveries';
import type { FromServer, PassCpu, ServerMode, ToServer } from './ingest-server';
import type { LoadResult } from './load-generator';

const CONNECTIONS = 64;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF;
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'error';
const work = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const secret = `bench-growsurf-${randomBytes(12).toString('base64url')}`;

interface Pass {
  readonly name: string;
  readonly mode: ServerMode;
  /** `growsurf:` for generated deliveries, else a file of prepared ones. */
  readonly load: (tag: string) => string;
}

interface PassResult extends LoadResult, PassCpu {
  readonly pass: Pass;
  readonly round: number;
}

const growsurf = (tag: string): string => `growsurf:${tag}`;

function passes(): Pass[] {
  const all: Pass[] = [
    { name: 'bare Fastify', mode: 'bare', load: growsurf },
    { name: 'minimal durable intake', mode: 'minimal', load: growsurf },
    { name: 'service, projections live', mode: 'service', load: growsurf },
    { name: 'service, intake only', mode: 'intake-only', load: growsurf },
  ];
  const picked = process.env.BENCH_PASSES?.split(',');
  const chosen = picked === undefined ? all : all.filter((pass) => picked.includes(pass.mode));
  if (process.env.BENCH_WIX === '1') {
    chosen.push({
      name: 'service, Wix JWT (RS256)',
      mode: 'service',
      load: (tag) => {
        // RS256 signing costs ~1 ms: prepared here, ahead of the pass, for up to 3,000 req/s.
        const file = join(work, `wix-${tag}.jsonl`);
        const count = Math.ceil((tag.startsWith('warm') ? WARMUP_SECONDS : SECONDS) * 3_000);
        writeFileSync(
          file,
          wixDeliveries(count, tag)
            .map((request) => JSON.stringify(request))
            .join('\n'),
        );
        return file;
      },
    });
  }
  return chosen;
}

const childEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  BENCH_CPU_PROF: undefined,
  BENCH_GROWSURF_SECRET: secret,
  BENCH_WIX_PUBLIC_KEY: testWixPublicKeyPem(),
});

async function runLoad(url: string, spec: string, seconds: number): Promise<LoadResult> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--require',
      transpileHookFile(),
      join(__dirname, 'load-generator.ts'),
      url,
      spec,
      String(CONNECTIONS),
      String(seconds),
    ],
    {
      encoding: 'utf8',
      env: childEnv(),
      maxBuffer: 16 * 1024 * 1024,
      timeout: (seconds + 120) * 1000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
}

/** The forked server and a way to ask it one thing at a time. */
function startServer(
  mode: ServerMode,
  name: string,
): { child: ChildProcess; url: Promise<string> } {
  const env = childEnv();
  if (CPU_PROF_DIR !== undefined)
    env.BENCH_CPU_PROF = join(resolve(CPU_PROF_DIR), `${name}.cpuprofile`);
  const child = fork(join(__dirname, 'ingest-server.ts'), [mode, work], {
    // Not ts-node: it loads node:domain, which slows every emit (bench/run.js).
    execArgv: ['--require', transpileHookFile()],
    env,
    // Access lines (BENCH_LOG_LEVEL=log) go to /dev/null, as to a collector that keeps up.
    stdio: ['ignore', LOG_LEVEL === 'error' ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  const url = new Promise<string>((resolveUrl, reject) => {
    child.once('message', (message: FromServer) =>
      message.type === 'ready'
        ? resolveUrl(message.url)
        : reject(new Error(JSON.stringify(message))),
    );
    child.once('exit', (code) => reject(new Error(`the ${mode} server exited (${code})`)));
  });
  return { child, url };
}

/** Longest a server may take to answer (stop waits for projections to catch up, up to 300 s). */
const ANSWER_TIMEOUT_MS = 360_000;

function ask(child: ChildProcess, message: ToServer): Promise<FromServer> {
  return new Promise((resolveAnswer, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the server did not answer ${message.type} within ${ANSWER_TIMEOUT_MS} ms`));
    }, ANSWER_TIMEOUT_MS);
    child.once('message', (answer: FromServer) => {
      clearTimeout(timer);
      if (answer.type === 'failed') reject(new Error(answer.message));
      else resolveAnswer(answer);
    });
    child.send(message);
  });
}

async function runPass(pass: Pass, round: number): Promise<PassResult> {
  const tag = `r${round}-${pass.mode}-${process.pid}`;
  const { child, url: listening } = startServer(
    pass.mode,
    `${tag}-${pass.name.replace(/\W+/g, '-')}`,
  );
  const url = await listening;
  await runLoad(url, pass.load(`warm-${tag}`), WARMUP_SECONDS);
  const measured = pass.load(`run-${tag}`);
  await ask(child, { type: 'start' });
  const load = await runLoad(url, measured, SECONDS);
  const stopped = await ask(child, { type: 'stop' });
  if (stopped.type !== 'stopped') throw new Error(`unexpected answer ${stopped.type}`);
  const exited = new Promise((done) => child.once('exit', done));
  child.send({ type: 'close' } satisfies ToServer);
  await exited;
  const { type: _type, ...cpu } = stopped;
  return { pass, round, ...load, ...cpu };
}

const perRequest = (cpuUs: number, requests: number): string =>
  requests === 0 ? '-' : (cpuUs / requests).toFixed(0);

function describe(result: PassResult, minimal: PassResult | undefined): string {
  const failures = result.non2xx + result.errors + result.timeouts;
  const ratios =
    minimal === undefined || result === minimal
      ? ''
      : `  x${(result.rps / minimal.rps).toFixed(2)} req/s, x${(result.p99 / minimal.p99).toFixed(1)} p99 of minimal`;
  const catchUp =
    result.catchUpMs === undefined
      ? ''
      : `  (caught up ${result.catchUpMs} ms after; ${perRequest(result.cpuWithCatchUpUs ?? 0, result.requests)} µs/req with it)`;
  const onClock = result.madeDuringRun ? `  ${result.madeDuringRun} made on the clock` : '';
  return `${result.pass.name.padEnd(27)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${String(result.p50).padStart(3)} ms  p99 ${String(result.p99).padStart(3)} ms  CPU ${perRequest(result.cpuUs, result.requests).padStart(4)} µs/req (main thread ${result.mainThreadUs === undefined ? '-' : perRequest(result.mainThreadUs, result.requests)})  RSS ${result.rssMiB} MiB  ${result.requests} req, ${failures} not 2xx${ratios}${catchUp}${onClock}`;
}

async function main(): Promise<void> {
  const chosen = passes();
  console.log(
    `bench:ingest on ${process.version}: ${CONNECTIONS} connections, ${SECONDS} s a pass after ${WARMUP_SECONDS} s warm-up, ${ROUNDS} round(s), signed GrowSurf deliveries of ~2.3 KB, service LOG_LEVEL=${LOG_LEVEL}`,
  );
  const results: PassResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    let minimal: PassResult | undefined;
    for (const pass of chosen) {
      const result = await runPass(pass, round);
      if (pass.mode === 'minimal') minimal = result;
      results.push(result);
      console.log(describe(result, minimal));
    }
  }
  summarise(results);
}

/** The issue-12 targets, as ratios to the minimal intake of the same round. */
function summarise(results: readonly PassResult[]): void {
  for (let round = 1; round <= ROUNDS; round++) {
    const inRound = results.filter((result) => result.round === round);
    const of = (mode: ServerMode): PassResult | undefined =>
      inRound.find((result) => result.pass.mode === mode && result.pass.load === growsurf);
    const minimal = of('minimal');
    const bare = of('bare');
    const live = of('service');
    const intake = of('intake-only');
    if (minimal === undefined) continue;
    const parts: string[] = [];
    if (bare) parts.push(`minimal is x${(minimal.rps / bare.rps).toFixed(2)} of bare Fastify`);
    if (live)
      parts.push(
        `projections live x${(live.rps / minimal.rps).toFixed(2)} (target >= 0.6), p99 x${(live.p99 / minimal.p99).toFixed(1)} (target <= 2)`,
      );
    if (intake)
      parts.push(
        `intake only x${(intake.rps / minimal.rps).toFixed(2)} (target >= 0.8), p99 x${(intake.p99 / minimal.p99).toFixed(1)}`,
      );
    if (live && intake && live.requests > 0 && intake.requests > 0)
      parts.push(
        `the fold costs ~${((live.cpuWithCatchUpUs ?? live.cpuUs) / live.requests - intake.cpuUs / intake.requests).toFixed(0)} µs CPU a delivery (live, catch-up included, minus intake only)`,
      );
    console.log(`round ${round} vs the minimal intake: ${parts.join('; ')}`);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
