import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/load-config';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`referral-ledger cannot start: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const store =
    config.eventStore.kind === 'sqlite' ? `embedded SQLite in ${config.dataDir}` : 'EventStoreDB';
  new Logger('Main').log(`listening on ${await app.getUrl()}, event log: ${store}`);
}

void bootstrap();
