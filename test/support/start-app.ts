/**
 * Starts the real application on 127.0.0.1 with an ephemeral port, with its
 * read models in a temporary data directory (or a given one, to restart), on
 * the given log: the embedded SQLite log in that directory by default, or an
 * EventStoreDB log (the emulator or a server) that outlives the app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';
import type { Clock } from '../../src/ledger/clock';
import type { TestLog } from './logs';
import { testWixPublicKeyPem } from './test-keys';
import { TEST_SECRETS } from './test-secrets';

export interface RunningApp {
  readonly url: string;
  readonly dataDir: string;
  readonly app: NestFastifyApplication;
  /** Stops the server; the data directory stays for a restart. */
  stop(): Promise<void>;
  /** Stops the server and deletes the data directory (an EventStoreDB log is left as it is). */
  dispose(): Promise<void>;
}

/** The service's settings for tests, pointed at `log` (SQLite in DATA_DIR when none is given). */
export function testEnv(dataDir: string, log?: TestLog): Record<string, string> {
  return {
    // A developer's own .env in the checkout must not reach a service or command under test.
    ENV_FILE: '',
    ...log?.env(),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    WIX_APP_PUBLIC_KEY: testWixPublicKeyPem(),
    TALKABLE_WEBHOOK_KEY: TEST_SECRETS.talkableKey,
    GROWSURF_WEBHOOK_SECRET: TEST_SECRETS.growsurfSecret,
    REFIR_WEBHOOK_TOKEN: TEST_SECRETS.refirToken,
    STANDARD_WEBHOOK_SOURCES: `${TEST_SECRETS.standardSource}=${TEST_SECRETS.standardSecret}`,
    DEFAULT_CURRENCIES: 'talkable=USD',
    API_READ_KEYS: TEST_SECRETS.readApiKey,
    API_ADMIN_KEYS: TEST_SECRETS.adminApiKey,
  };
}

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'referral-ledger-e2e-'));
}

export async function startApp(
  options: { log?: TestLog; dataDir?: string; env?: Record<string, string>; clock?: Clock } = {},
): Promise<RunningApp> {
  const dataDir = options.dataDir ?? makeDataDir();
  const config = loadConfig({ ...testEnv(dataDir, options.log), ...options.env });
  const app = await createApp(config, { clock: options.clock });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await app.close();
  };
  return {
    url,
    dataDir,
    app,
    stop,
    dispose: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
