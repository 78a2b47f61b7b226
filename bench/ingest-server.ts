/**
 * One server of bench:ingest, in a process of its own (forked by
 * ingest.bench.ts), so that each pass starts cold and clean and its CPU is
 * this process's alone: process.cpuUsage() counts every thread of it (the
 * embedded log's writer thread included), and nothing else runs here.
 *
 * argv: <mode> <work dir>; mode is `bare`, `minimal`, `service` or
 * `intake-only`. Talks over IPC: says {ready, url}; answers `start` (CPU
 * counted from here), `stop` (CPU so far, then, with projections live, the
 * time and CPU until they caught up with the log) and `close` (exits).
 * With BENCH_CPU_PROF=<file>, the main thread's CPU profile from start to
 * stop (the measured window only, no start-up) is written there.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/load-config';
import { EVENT_STORE, type EventStore } from '../src/event-store/event-store.port';
import { LiveProjections } from '../src/read-models/live-projections';
import { testEnv } from '../test/support/start-app';
import { startMinimalIntake, type RunningServer } from './ingest-minimal';

export type ServerMode = 'bare' | 'minimal' | 'service' | 'intake-only';

export type ToServer = { type: 'start' } | { type: 'stop' } | { type: 'close' };

export interface PassCpu {
  /** User + system CPU of this process between start and stop, µs. */
  readonly cpuUs: number;
  /** Of that, the main thread's (the event loop), µs; Linux only, 10 ms resolution. */
  readonly mainThreadUs?: number;
  /** Projections live: how long after stop until they had folded the whole log, ms. */
  readonly catchUpMs?: number;
  /** CPU from start until caught up, µs. */
  readonly cpuWithCatchUpUs?: number;
  readonly rssMiB: number;
}

export type FromServer =
  | { type: 'ready'; url: string }
  | { type: 'started' }
  | ({ type: 'stopped' } & PassCpu)
  | { type: 'failed'; message: string };

interface ServerUnderTest extends RunningServer {
  /** Resolves once the read models hold everything in the log (projections live only). */
  readonly caughtUp?: () => Promise<void>;
}

async function bare(): Promise<ServerUnderTest> {
  const server = Fastify({ logger: false });
  server.post('/webhooks/growsurf', async () => ({ status: 'recorded' }));
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => server.close() };
}

async function service(dir: string, secret: string, live: boolean): Promise<ServerUnderTest> {
  const dataDir = mkdtempSync(join(dir, 'data-'));
  const env: Record<string, string> = {
    ...testEnv(dataDir),
    GROWSURF_WEBHOOK_SECRET: secret,
    // error by default: the minimal intake logs nothing; BENCH_LOG_LEVEL=log adds the access lines.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  };
  if (process.env.BENCH_WIX_PUBLIC_KEY) env.WIX_APP_PUBLIC_KEY = process.env.BENCH_WIX_PUBLIC_KEY;
  // BENCH_SEALED=1: deliveries sealed as with SUBJECT_MASTER_KEY (docs/erasure.md), a key per run.
  if (process.env.BENCH_SEALED === '1') env.SUBJECT_MASTER_KEY = randomBytes(32).toString('hex');
  const app = await createApp(loadConfig(env));
  await app.listen(0, '127.0.0.1');
  const runner = app.get(LiveProjections).current.runner;
  if (!live) await runner.stop();
  const store = app.get<symbol, EventStore>(EVENT_STORE);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    url,
    close: () => app.close(),
    ...(live
      ? {
          caughtUp: async () => {
            const head = await store.headPosition();
            if (head !== undefined && !(await runner.waitForPosition(head, 300_000)))
              throw new Error('projections did not catch up within 300 s');
          },
        }
      : {}),
  };
}

/**
 * The inspector's profiler over the measured window: start-up and teardown stay
 * out of it. The main thread's profile goes to `file`; each worker thread's
 * (the log writer, the projection runner) beside it, `<file>.<worker title>.cpuprofile`,
 * reached through the inspector's NodeWorker domain.
 */
function windowProfiler(file: string | undefined): { start(): void; stop(): Promise<void> } {
  if (file === undefined) return { start: () => undefined, stop: async () => undefined };
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  const workers = new Map<string, string>();
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  session.on('NodeWorker.attachedToWorker', ({ params }) => {
    const { sessionId, workerInfo } = params as {
      sessionId: string;
      workerInfo: { title: string; workerId: string };
    };
    workers.set(sessionId, `${workerInfo.workerId}-${workerInfo.title.replace(/[^\w.-]+/g, '_')}`);
  });
  session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
    const { id, result } = JSON.parse((params as { message: string }).message) as {
      id?: number;
      result?: unknown;
    };
    if (id !== undefined) pending.get(id)?.(result);
  });
  const toWorker = (sessionId: string, method: string): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      void post('NodeWorker.sendMessageToWorker', {
        sessionId,
        message: JSON.stringify({ id, method }),
      });
    });
  const everyWorker = (method: string): Promise<unknown[]> =>
    Promise.all([...workers.keys()].map((sessionId) => toWorker(sessionId, method)));
  return {
    start: () =>
      void post('NodeWorker.enable', { waitForDebuggerOnStart: false })
        .then(() => new Promise((resolve) => setTimeout(resolve, 200)))
        .then(() => post('Profiler.enable'))
        .then(() => post('Profiler.start'))
        .then(() => everyWorker('Profiler.enable'))
        .then(() => everyWorker('Profiler.start')),
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      for (const [sessionId, title] of workers) {
        const result = (await toWorker(sessionId, 'Profiler.stop')) as
          { profile?: unknown } | undefined;
        if (result?.profile !== undefined)
          writeFileSync(
            file.replace(/\.cpuprofile$/, `.${title}.cpuprofile`),
            JSON.stringify(result.profile),
          );
      }
    },
  };
}

/** CPU ticks of the main thread (its task id is the process id), from /proc; undefined elsewhere. */
function mainThreadTicks(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
const TICK_US = 10_000;

function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2) as [ServerMode | undefined, string | undefined];
  const secret = process.env.BENCH_GROWSURF_SECRET;
  if (dir === undefined || secret === undefined) throw new Error('usage: <mode> <dir>, secret');
  const send = (message: FromServer): void => void process.send?.(message);
  const server: ServerUnderTest =
    mode === 'bare'
      ? await bare()
      : mode === 'minimal'
        ? await startMinimalIntake(dir, secret)
        : mode === 'service' || mode === 'intake-only'
          ? await service(dir, secret, mode === 'service')
          : (() => {
              throw new Error(`unknown mode ${String(mode)}`);
            })();
  let startedAt = 0;
  let mainStartedAt: number | undefined;
  const profiler = windowProfiler(process.env.BENCH_CPU_PROF);
  process.on('message', (message: ToServer) => {
    void (async () => {
      if (message.type === 'start') {
        profiler.start();
        startedAt = cpuUs();
        mainStartedAt = mainThreadTicks();
        send({ type: 'started' });
      } else if (message.type === 'stop') {
        const cpu = cpuUs() - startedAt;
        const mainTicks = mainThreadTicks();
        const mainThreadUs =
          mainTicks === undefined || mainStartedAt === undefined
            ? undefined
            : (mainTicks - mainStartedAt) * TICK_US;
        const stoppedAt = performance.now();
        await profiler.stop();
        let catchUp: Partial<PassCpu> = {};
        if (server.caughtUp !== undefined) {
          await server.caughtUp();
          catchUp = {
            catchUpMs: Math.round(performance.now() - stoppedAt),
            cpuWithCatchUpUs: cpuUs() - startedAt,
          };
        }
        send({
          type: 'stopped',
          cpuUs: cpu,
          ...(mainThreadUs === undefined ? {} : { mainThreadUs }),
          ...catchUp,
          rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
        });
      } else {
        await server.close();
        // A normal exit, so that --cpu-prof writes its profile.
        process.exit(0);
      }
    })().catch((error: unknown) => send({ type: 'failed', message: String(error) }));
  });
  // The bench gone (finished, failed or interrupted): no server is left behind.
  process.on('disconnect', () => process.exit(1));
  send({ type: 'ready', url: server.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
