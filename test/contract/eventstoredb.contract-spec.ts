/**
 * The event store contract against EventStoreDB: the server the global setup
 * started (or EVENTSTORE_TEST_CONNECTION_STRING). Without a container runtime
 * the suite is reported as skipped with the reason; with REQUIRE_EVENTSTOREDB=1
 * it fails instead, and it always fails when a runtime answered but the
 * server did not start.
 */
import { connectEventStoreDb } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { ESDB_ENV } from '../support/global-setup';
import { describeEventStoreContract } from './event-store.contract';

const connectionString = process.env[ESDB_ENV.connectionString];
const failure = process.env[ESDB_ENV.failure];
const skipReason =
  process.env[ESDB_ENV.skipReason] ??
  `the global setup provided no server and ${ESDB_ENV.connectionString} is not set`;
const required = process.env[ESDB_ENV.required] === '1';

if (connectionString !== undefined && connectionString !== '') {
  describeEventStoreContract('EventStoreDB', async () => connectEventStoreDb(connectionString));
} else if (failure !== undefined || required) {
  const reason = failure ?? `${ESDB_ENV.required}=1 but ${skipReason}`;
  describe('event store contract: EventStoreDB', () => {
    it('has an EventStoreDB server to run against', () => {
      throw new Error(reason);
    });
  });
} else {
  process.stderr.write(`EventStoreDB contract skipped: ${skipReason}\n`);
  describe.skip(`event store contract: EventStoreDB — skipped: ${skipReason}`, () => {
    it('runs the whole contract against EventStoreDB', () => undefined);
  });
}
