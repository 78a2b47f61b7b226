import { join } from 'node:path';

/** The embedded log's file in DATA_DIR: opened by the service, and read by the projection workers. */
export function sqliteLogFile(dataDir: string): string {
  return join(dataDir, 'events.sqlite');
}
