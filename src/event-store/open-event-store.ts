import type { EventStoreConfig } from '../config/app-config';
import { connectEventStoreDb } from './eventstoredb/eventstoredb-event-store';
import type { EventStore } from './event-store.port';
import { sqliteLogFile } from './sqlite/log-file';
import { openSqliteEventStore } from './sqlite/sqlite-event-store';

/** EventStoreDB when a connection string is configured, else the embedded SQLite log. */
export function openEventStore(config: EventStoreConfig): EventStore {
  switch (config.kind) {
    case 'eventstoredb':
      return connectEventStoreDb(config.connectionString, { maxAppendSize: config.maxAppendSize });
    case 'sqlite':
      return openSqliteEventStore({
        file: sqliteLogFile(config.dataDir),
        maxAppendSize: config.maxAppendSize,
      });
  }
}
