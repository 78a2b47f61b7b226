/**
 * Starts the real application on 127.0.0.1 with an ephemeral port, on the
 * embedded store in a temporary data directory (or a given one, to restart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';
import type { Clock } from '../../src/ledger/clock';
import { testWixPublicKeyPem } from './test-keys';
import { TEST_SECRETS } from './test-secrets';

export interface RunningApp {
  readonly url: string;
  readonly dataDir: string;
  readonly app: NestFastifyApplication;
  /** Stops the server; the data directory stays for a restart. */
  stop(): Promise<void>;
  /** Stops the server and deletes the data directory. */
  dispose(): Promise<void>;
}

export function testEnv(dataDir: string): Record<string, string> {
  return {
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
  options: { dataDir?: string; env?: Record<string, string>; clock?: Clock } = {},
): Promise<RunningApp> {
  const dataDir = options.dataDir ?? makeDataDir();
  const config = loadConfig({ ...testEnv(dataDir), ...options.env });
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
