/**
 * One generation's projection runner on its own thread, so that folding and
 * writing the read models never holds the event loop that takes webhooks and
 * answers queries. It follows the log itself (its own read-only connection to
 * the embedded log, or its own EventStoreDB client) from the checkpoints the
 * read-model file holds, and commits documents and checkpoints together as
 * the runner always has: a worker that dies mid-batch leaves the file at its
 * last commit, and the next one resumes from there.
 *
 * It tells the thread that started it (worker-runner.ts) its state changes and,
 * after each commit, its checkpoints: status and read-your-writes are answered
 * there from them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AppConfig, EventStoreConfig } from '../config/app-config';
import { sqliteLogFile } from '../event-store/sqlite/log-file';
import { SqliteLogReader } from '../event-store/sqlite/sqlite-log-reader';
import {
  ProjectionRunner,
  type FollowedLog,
  type RunnerSnapshot,
  type RunnerStateChange,
} from './projection-runner';
import { serviceProjections } from '../projections/service-projections';
import { ReadModelStore, type ProblemRow } from './storage/read-model-store';

export interface ProjectionWorkerData {
  readonly log: EventStoreConfig;
  readonly directory: string;
  readonly fileName: string;
  readonly building: boolean;
  /** Which of the service projections this generation runs (the others are held or carried). */
  readonly projections: readonly string[];
  readonly defaultCurrencies: AppConfig['defaultCurrencies'];
  readonly batchSize?: number;
}

/** An error as it crosses the thread: its words, and SQLite's code (corruption is judged by it). */
export interface WorkerCause {
  readonly name?: string;
  readonly message: string;
  readonly code?: string;
}

export type ProjectionWorkerMessage =
  | { readonly type: 'started' }
  | {
      readonly type: 'progress';
      readonly snapshot: RunnerSnapshot;
      /** Present when a projection's failures changed: its most recent errors, newest first. */
      readonly errors?: Readonly<Record<string, readonly ProblemRow[]>>;
    }
  | {
      readonly type: 'state';
      readonly change: Omit<RunnerStateChange, 'cause'> & { readonly cause?: WorkerCause };
      readonly snapshot: RunnerSnapshot;
    };

export type ProjectionWorkerCommand = { readonly type: 'appended' } | { readonly type: 'stop' };

export function causeOf(error: unknown): WorkerCause {
  const { name, message, code } = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  return {
    ...(typeof name === 'string' ? { name } : {}),
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

const port = parentPort;
if (port === null) throw new Error('projection.worker runs as a worker thread only');
const data = workerData as ProjectionWorkerData;
const post = (message: ProjectionWorkerMessage): void => port.postMessage(message);

type WorkerLog = FollowedLog & { close(): Promise<void>; notifyCommitted?(): void };

function openLog(config: EventStoreConfig): WorkerLog {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteLogReader(sqliteLogFile(config.dataDir));
    case 'eventstoredb': {
      // Required here only: the gRPC client takes ~0.3 s to load, for nothing on the embedded log.
      const { connectEventStoreDb } =
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('../event-store/eventstoredb/eventstoredb-event-store') as typeof import('../event-store/eventstoredb/eventstoredb-event-store');
      return connectEventStoreDb(config.connectionString);
    }
  }
}

const log = openLog(data.log);
const readModels = new ReadModelStore(
  { directory: data.directory, fileName: data.fileName },
  { building: data.building },
);
const projections = serviceProjections({ defaultCurrencies: data.defaultCurrencies }).filter((p) =>
  data.projections.includes(p.name),
);

/** Failures per projection as last told: errors are read and sent only when they change. */
const toldFailed = new Map<string, bigint>();
function recentErrorsIfChanged(snapshot: RunnerSnapshot): Record<string, readonly ProblemRow[]> {
  const errors: Record<string, readonly ProblemRow[]> = {};
  for (const checkpoint of snapshot.checkpoints) {
    if (toldFailed.get(checkpoint.projection) === checkpoint.failed) continue;
    toldFailed.set(checkpoint.projection, checkpoint.failed);
    errors[checkpoint.projection] = runner.recentErrors(checkpoint.projection);
  }
  return errors;
}

const runner: ProjectionRunner = new ProjectionRunner({
  store: log,
  readModels,
  projections,
  ...(data.batchSize === undefined ? {} : { batchSize: data.batchSize }),
  onStateChange: ({ cause, ...change }) =>
    post({
      type: 'state',
      change: { ...change, ...(cause === undefined ? {} : { cause: causeOf(cause) }) },
      snapshot: runner.snapshot(),
    }),
  onProgress: () => {
    const snapshot = runner.snapshot();
    const errors = recentErrorsIfChanged(snapshot);
    post({
      type: 'progress',
      snapshot,
      ...(Object.keys(errors).length === 0 ? {} : { errors }),
    });
  },
});

/** How long the log may take to let go: a reader has nothing to flush, and the thread's end frees it anyway. */
const LOG_CLOSE_MS = 500;

async function stop(): Promise<void> {
  await runner.stop();
  readModels.close();
  await Promise.race([
    log.close().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, LOG_CLOSE_MS)),
  ]);
  // An EventStoreDB client keeps handles open: the thread ends here, its work committed.
  process.exit(0);
}

port.on('message', (command: ProjectionWorkerCommand) => {
  switch (command.type) {
    case 'appended':
      log.notifyCommitted?.();
      break;
    case 'stop':
      void stop();
      break;
  }
});

void runner.start().then(() => {
  const snapshot = runner.snapshot();
  post({ type: 'progress', snapshot, errors: recentErrorsIfChanged(snapshot) });
  post({ type: 'started' });
});
