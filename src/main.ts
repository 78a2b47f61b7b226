import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { describeEnvFile, loadEnvFile, type EnvFileResult } from './cli/env-file';
import type { AppConfig } from './config/app-config';
import { ConfigError, loadConfig } from './config/load-config';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  let envFile: EnvFileResult;
  try {
    // .env (or ENV_FILE) into process.env first; the process environment wins.
    envFile = loadEnvFile();
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`referral-ledger cannot start: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  // From here on Nest's Logger writes through the service's JSON logger.
  const logger = new Logger('Main');
  const settings = describeEnvFile(envFile);
  if (settings !== undefined) logger.log(settings);
  await app.listen(config.port, config.host);
  const store =
    config.eventStore.kind === 'sqlite' ? `embedded SQLite in ${config.dataDir}` : 'EventStoreDB';
  logger.log(`listening on ${await app.getUrl()}, event log: ${store}`);
}

void bootstrap();
