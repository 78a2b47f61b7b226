/**
 * One EventStoreDB container per jest run, shared by every file that can
 * share a log (workers are separate processes, so a per-file `beforeAll`
 * would start one per file; suites that need a log of their own start their
 * own, see `logs.ts`). Nothing is probed or started unless the run includes a file that
 * runs on a real server (the EventStoreDB contract, the e2e suites). The
 * outcome reaches the workers through process.env: a connection string, or
 * the reason there is none.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { startEventStoreDbContainer } from './eventstoredb-container';

/**
 * KurrentDB 26.0 (the current LTS release), release 26.0.3, under the image
 * name the KurrentDB installation guide gives (Kurrent's registry). Override with
 * EVENTSTORE_TEST_IMAGE, e.g. `eventstore/eventstore:24.10` (Docker Hub) for
 * the 24.10 LTS, whose options are read from EVENTSTORE_* variables.
 */
export const ESDB_IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:26.0.3';

export const ESDB_ENV = {
  /** Set by the caller to use an existing server, or by this setup after starting one. */
  connectionString: 'EVENTSTORE_TEST_CONNECTION_STRING',
  /** Why there is no server, when that is an acceptable outcome (no container runtime). */
  skipReason: 'EVENTSTORE_CONTRACT_SKIP_REASON',
  /** Why there is no server although a runtime answered: the contract run fails with it. */
  failure: 'EVENTSTORE_CONTRACT_FAILURE',
  /** "1" where a missing server must fail the run (CI with Docker). */
  required: 'REQUIRE_EVENTSTOREDB',
  /** The server image to start instead of ESDB_IMAGE. */
  image: 'EVENTSTORE_TEST_IMAGE',
  /** The server image this run started, for titles and logs. */
  startedImage: 'EVENTSTORE_TEST_STARTED_IMAGE',
} as const;

/** Files whose inclusion in a run makes the setup provide a server. */
function filesNeedingEsdb(rootDir: string): string[] {
  const e2e = join(rootDir, 'test', 'e2e');
  return [
    join(rootDir, 'test', 'contract', 'eventstoredb.contract-spec.ts'),
    ...readdirSync(e2e)
      .filter((name) => name.endsWith('.e2e-spec.ts'))
      .map((name) => join(e2e, name)),
  ];
}
/** A runtime that has not answered within this is treated as absent. */
const DETECT_TIMEOUT_MS = 4_000;

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
    const image = process.env[ESDB_ENV.image] || ESDB_IMAGE;
    const { container, connectionString } = await startEventStoreDbContainer(image);
    globalThis.__ESDB_CONTAINER__ = container;
    process.env[ESDB_ENV.connectionString] = connectionString;
    process.env[ESDB_ENV.startedImage] = image;
  } catch (error) {
    process.env[ESDB_ENV.failure] =
      `a container runtime answered but EventStoreDB did not start (${messageOf(error)})`;
  }
}

function runIncludesEventStoreDb(config: JestGlobalConfig): boolean {
  if (config.listTests) return false;
  const patterns = config.testPathPatterns?.toExecutor({ rootDir: config.rootDir });
  if (patterns === undefined) return true;
  return filesNeedingEsdb(config.rootDir).some((file) => patterns.isMatch(file));
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
