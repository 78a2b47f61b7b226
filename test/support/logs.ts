/**
 * The logs an e2e suite runs on: the embedded SQLite log, the in-process
 * EventStoreDB emulator (every run), and a real EventStoreDB server when the
 * global setup provides one. `describeOnEachLog` repeats a suite once per log,
 * names the log in the describe title and starts and stops what the log needs.
 * On either EventStoreDB log the read models stay SQLite files in DATA_DIR.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectEventStoreDb } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { ANY, type EventStore } from '../../src/event-store/event-store.port';
import { openSqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import type { EsdbEmulator } from './esdb-emulator';
import { startEventStoreDbContainer, type StartedServer } from './eventstoredb-container';
import { ESDB_ENV } from './global-setup';

export type LogName = 'sqlite' | 'eventstoredb emulator' | 'eventstoredb';

export interface TestLog {
  readonly name: LogName;
  /** How the describe title names the log: never reads as a real server for the emulator. */
  readonly title: string;
  /**
   * Whether suites other than this one write into the same log. A real server
   * is one container for the whole run; the emulator and SQLite are this
   * suite's own.
   */
  readonly shared: boolean;
  /** Variables that point the service at this log (none for SQLite: its log lives in DATA_DIR). */
  env(): Record<string, string>;
  /** The emulator, for fault injection; undefined on the other logs. */
  emulator(): EsdbEmulator | undefined;
  /** Opens the log as the service does, to read back what it acknowledged. */
  openStore(dataDir: string): EventStore;
  /**
   * Appends another application's event (a stream and type this service never
   * writes) at the end of the log: head, lag, rebuild and verify must not wait
   * for the projections to reach it. On SQLite, call it while no service holds the log.
   */
  appendForeignEvent(dataDir: string): Promise<void>;
}

export interface OnEachLogOptions {
  /**
   * Why the suite needs a log of its own, when it does (fixed fixture ids,
   * exact counts, byte-equal answers while nothing else writes). The real
   * server the global setup starts is shared by every suite of the run, so
   * such a suite starts a server container of its own; where the server was
   * given from outside (no container runtime used), it is reported skipped
   * there with this reason. It always runs on SQLite and the emulator.
   */
  readonly needsOwnLog?: string;
}

/** `TEST_LOGS=sqlite,emulator` narrows a local run; every log runs by default. */
const SELECTED = (process.env.TEST_LOGS ?? 'sqlite,emulator,eventstoredb')
  .split(',')
  .map((name) => name.trim());

export function describeOnEachLog(title: string, body: (log: TestLog) => void): void;
export function describeOnEachLog(
  title: string,
  options: OnEachLogOptions,
  body: (log: TestLog) => void,
): void;
export function describeOnEachLog(
  title: string,
  ...args: [(log: TestLog) => void] | [OnEachLogOptions, (log: TestLog) => void]
): void {
  const [options, body] = args.length === 1 ? [{}, args[0]] : args;
  if (SELECTED.includes('sqlite')) describeOn(title, sqliteLog(), body);
  if (SELECTED.includes('emulator')) describeOn(title, emulatorLog(), body);
  if (SELECTED.includes('eventstoredb')) describeOnRealServer(title, body, options);
}

function describeOn(
  title: string,
  log: LogLifecycle,
  body: (log: TestLog) => void,
  startTimeoutMs?: number,
): void {
  describe(`${title} ${log.title}`, () => {
    beforeAll(() => log.start(), startTimeoutMs);
    afterAll(() => log.stop(), startTimeoutMs);
    body(log);
  });
}

function describeOnRealServer(
  title: string,
  body: (log: TestLog) => void,
  options: OnEachLogOptions,
): void {
  const connectionString = process.env[ESDB_ENV.connectionString];
  // The image the global setup started: a container runtime answers, so a
  // suite that needs a log of its own gets a server of its own.
  const startedImage = process.env[ESDB_ENV.startedImage];
  const skipReason =
    connectionString === undefined || connectionString === ''
      ? (process.env[ESDB_ENV.failure] ??
        process.env[ESDB_ENV.skipReason] ??
        `the global setup provided no server and ${ESDB_ENV.connectionString} is not set`)
      : options.needsOwnLog !== undefined && !startedImage
        ? `${options.needsOwnLog}; the server given in ${ESDB_ENV.connectionString} is shared and no container runtime was used to start one of its own`
        : undefined;
  if (skipReason !== undefined) {
    // The contract suite is the one that fails a run that requires a server and has none.
    describe.skip(`${title} on a real EventStoreDB server — skipped: ${skipReason}`, () => {
      it('runs the suite against a real EventStoreDB server', () => undefined);
    });
    return;
  }
  if (options.needsOwnLog !== undefined && startedImage) {
    describeOn(title, ownServerLog(startedImage), body, SERVER_START_TIMEOUT_MS);
    return;
  }
  describeOn(title, realServerLog(connectionString!), body);
}

/** Pulling is done by the global setup's start; a second container of the same image starts in seconds. */
const SERVER_START_TIMEOUT_MS = 180_000;

interface LogLifecycle extends TestLog {
  start(): Promise<void>;
  stop(): Promise<void>;
}

function sqliteLog(): LogLifecycle {
  return {
    name: 'sqlite',
    title: 'on SQLite',
    shared: false,
    env: () => ({}),
    emulator: () => undefined,
    openStore: (dataDir) => openSqliteEventStore({ file: join(dataDir, 'events.sqlite') }),
    appendForeignEvent: (dataDir) =>
      appendForeignThrough(openSqliteEventStore({ file: join(dataDir, 'events.sqlite') })),
    start: async () => undefined,
    stop: async () => undefined,
  };
}

/** A fresh emulator per suite: it binds an ephemeral port in this jest worker, which is cheap. */
function emulatorLog(): LogLifecycle {
  let emulator: EsdbEmulator | undefined;
  const running = (): EsdbEmulator => {
    if (emulator === undefined) throw new Error('the EventStoreDB emulator is not started yet');
    return emulator;
  };
  return {
    name: 'eventstoredb emulator',
    title: 'on the EventStoreDB emulator',
    shared: false,
    env: () => ({ EVENTSTORE_CONNECTION_STRING: running().connectionString }),
    emulator: running,
    openStore: () => connectEventStoreDb(running().connectionString),
    // Bypasses the adapter, as another application's client would.
    appendForeignEvent: async () => {
      running().appendDirect(`${FOREIGN_STREAM_PREFIX}${randomUUID()}`, FOREIGN_TYPE, {
        orderId: randomUUID(),
      });
    },
    start: async () => {
      // Loaded here so that a run narrowed to SQLite (TEST_LOGS=sqlite) never loads gRPC.
      const { startEsdbEmulator } = await import('./esdb-emulator');
      emulator = await startEsdbEmulator();
    },
    stop: async () => {
      await emulator?.stop();
      emulator = undefined;
    },
  };
}

function realServerLog(connectionString: string): LogLifecycle {
  return {
    name: 'eventstoredb',
    title: 'on a real EventStoreDB server',
    shared: true,
    env: () => ({ EVENTSTORE_CONNECTION_STRING: connectionString }),
    emulator: () => undefined,
    openStore: () => connectEventStoreDb(connectionString),
    appendForeignEvent: () => appendForeignThrough(connectEventStoreDb(connectionString)),
    start: async () => undefined,
    stop: async () => undefined,
  };
}

/** A real server of the suite's own: a container started for it and stopped after it. */
function ownServerLog(image: string): LogLifecycle {
  let server: StartedServer | undefined;
  const connectionString = (): string => {
    if (server === undefined) throw new Error('the EventStoreDB container is not started yet');
    return server.connectionString;
  };
  return {
    name: 'eventstoredb',
    title: `on a real EventStoreDB server of its own (${image})`,
    shared: false,
    env: () => ({ EVENTSTORE_CONNECTION_STRING: connectionString() }),
    emulator: () => undefined,
    openStore: () => connectEventStoreDb(connectionString()),
    appendForeignEvent: () => appendForeignThrough(connectEventStoreDb(connectionString())),
    start: async () => {
      server = await startEventStoreDbContainer(image);
    },
    stop: async () => {
      await server?.container.stop();
      server = undefined;
    },
  };
}

const FOREIGN_STREAM_PREFIX = 'another-application-order-';
const FOREIGN_TYPE = 'OrderPlaced';

async function appendForeignThrough(store: EventStore): Promise<void> {
  try {
    await store.append(
      `${FOREIGN_STREAM_PREFIX}${randomUUID()}`,
      [{ id: randomUUID(), type: FOREIGN_TYPE, data: { orderId: randomUUID() } }],
      { expectedRevision: ANY },
    );
  } finally {
    await closeWithin(store);
  }
}

/**
 * Closes a store opened to read back, within a bound: a close that never
 * resolves (a leaked client stream) fails the test with that, not with a
 * jest timeout that names nothing.
 */
export async function closeWithin(store: EventStore, ms = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${store.kind} store close() did not resolve within ${ms} ms`)),
      ms,
    );
  });
  try {
    await Promise.race([store.close(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
