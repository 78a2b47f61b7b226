/**
 * One EventStoreDB container per jest run, shared by every file that needs it
 * (workers are separate processes, so a per-file `beforeAll` would start one
 * per file). Nothing is probed or started unless the run includes an
 * EventStoreDB contract file. The outcome reaches the workers through
 * process.env: a connection string, or the reason there is none.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';

export const ESDB_IMAGE = 'docker.eventstore.com/eventstore/eventstore:24.10';

export const ESDB_ENV = {
  /** Set by the caller to use an existing server, or by this setup after starting one. */
  connectionString: 'EVENTSTORE_TEST_CONNECTION_STRING',
  /** Why there is no server, when that is an acceptable outcome (no container runtime). */
  skipReason: 'EVENTSTORE_CONTRACT_SKIP_REASON',
  /** Why there is no server although a runtime answered: the contract run fails with it. */
  failure: 'EVENTSTORE_CONTRACT_FAILURE',
  /** "1" where a missing server must fail the run (CI with Docker). */
  required: 'REQUIRE_EVENTSTOREDB',
} as const;

/** Files whose inclusion in a run makes the setup provide a server. */
const FILES_NEEDING_ESDB = ['test/contract/eventstoredb.contract-spec.ts'];
/** A runtime that has not answered within this is treated as absent. */
const DETECT_TIMEOUT_MS = 4_000;
const READY_TIMEOUT_MS = 60_000;

declare global {
  var __ESDB_CONTAINER__: StartedTestContainer | undefined;
}

/** The parts of jest's global config this setup reads. */
interface JestGlobalConfig {
  readonly rootDir: string;
  readonly listTests?: boolean;
  readonly testPathPatterns?: {
    toExecutor(options: { rootDir: string }): { isMatch(absolutePath: string): boolean };
  };
}

export default async function globalSetup(config: JestGlobalConfig): Promise<void> {
  if (process.env[ESDB_ENV.connectionString] || !runIncludesEventStoreDb(config)) return;
  const silence = await detectContainerRuntime();
  if (silence !== undefined) {
    process.env[ESDB_ENV.skipReason] = `no container runtime answered (${silence})`;
    return;
  }
  try {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer(ESDB_IMAGE)
      .withEnvironment({
        EVENTSTORE_CLUSTER_SIZE: '1',
        EVENTSTORE_INSECURE: 'true',
        EVENTSTORE_MEM_DB: 'true',
        EVENTSTORE_RUN_PROJECTIONS: 'None',
        EVENTSTORE_START_STANDARD_PROJECTIONS: 'false',
      })
      .withExposedPorts(2113)
      .withWaitStrategy(
        Wait.forHttp('/health/live', 2113).forStatusCodeMatching(
          (code) => code === 200 || code === 204,
        ),
      )
      .withStartupTimeout(120_000)
      .start();
    globalThis.__ESDB_CONTAINER__ = container;
    const connectionString = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
    await waitUntilWritable(connectionString);
    process.env[ESDB_ENV.connectionString] = connectionString;
  } catch (error) {
    process.env[ESDB_ENV.failure] =
      `a container runtime answered but EventStoreDB did not start (${messageOf(error)})`;
  }
}

function runIncludesEventStoreDb(config: JestGlobalConfig): boolean {
  if (config.listTests) return false;
  const patterns = config.testPathPatterns?.toExecutor({ rootDir: config.rootDir });
  if (patterns === undefined) return true;
  return FILES_NEEDING_ESDB.some((file) => patterns.isMatch(join(config.rootDir, file)));
}

/** /health/live can answer before the single node has become leader and accepts writes. */
async function waitUntilWritable(connectionString: string): Promise<void> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.appendToStream(
          `readiness-${randomUUID()}`,
          jsonEvent({ type: 'readiness-probed', data: {} }),
          { deadline: 2_000 },
        );
        return;
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await client.dispose();
  }
}

/**
 * Asks testcontainers for a runtime in a child process, so that a runtime
 * that accepts the connection and never answers can be cut off: in this
 * process its socket would keep jest from exiting. Resolves undefined when a
 * runtime answered, else why not.
 */
function detectContainerRuntime(): Promise<string | undefined> {
  const probe = `require(${JSON.stringify(require.resolve('testcontainers'))})
    .getContainerRuntimeClient()
    .then(() => process.exit(0), (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', probe],
      { timeout: DETECT_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (error, _stdout, stderr) => {
        if (error === null) resolve(undefined);
        else if (error.killed) resolve(`no answer within ${DETECT_TIMEOUT_MS} ms`);
        else resolve(stderr.trim() || error.message);
      },
    );
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
