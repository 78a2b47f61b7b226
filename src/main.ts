import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { describeEnvFile, loadEnvFile, type EnvFileResult } from './cli/env-file';
import type { AppConfig } from './config/app-config';
import { ConfigError, loadConfig } from './config/load-config';
import {
  claimDataDir,
  DATA_DIR_LOCKED_EXIT_CODE,
  DataDirLocked,
  type DataDirClaim,
} from './data-dir/claim-data-dir';
import { InvalidReadModelPointer } from './read-models/live-projections';

function cannotStart(message: string, exitCode: number): never {
  process.stderr.write(`referral-ledger cannot start: ${message}\n`);
  process.exit(exitCode);
}

const EX_CONFIG = 78;

/** A read-model pointer outside DATA_DIR is the operator's to fix, like a bad setting. */
function refuseBadPointer(error: unknown): never {
  if (error instanceof InvalidReadModelPointer) cannotStart(error.message, EX_CONFIG);
  throw error;
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  let envFile: EnvFileResult;
  try {
    // .env (or ENV_FILE) into process.env first; the process environment wins.
    envFile = loadEnvFile();
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) cannotStart(error.message, EX_CONFIG);
    throw error;
  }
  // One service per DATA_DIR: taken before any store opens it, held for the process' life.
  let claim: DataDirClaim;
  try {
    claim = claimDataDir(config.dataDir, 'service');
  } catch (error) {
    if (error instanceof DataDirLocked) cannotStart(error.message, DATA_DIR_LOCKED_EXIT_CODE);
    throw error;
  }
  const app = await createApp(config).catch(refuseBadPointer);
  // From here on Nest's Logger writes through the service's JSON logger.
  const logger = new Logger('Main');
  const settings = describeEnvFile(envFile);
  if (settings !== undefined) logger.log(settings);
  if (claim.tightened.length > 0)
    logger.warn(`made private to the owner (0600): ${claim.tightened.join(', ')}`);
  // Listening starts the projections, which open the read models the pointer names.
  await app.listen(config.port, config.host).catch(refuseBadPointer);
  const store =
    config.eventStore.kind === 'sqlite' ? `embedded SQLite in ${config.dataDir}` : 'EventStoreDB';
  logger.log(`listening on ${await app.getUrl()}, event log: ${store}`);
}

void bootstrap();
