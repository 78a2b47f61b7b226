/**
 * The event store contract against EventStoreDB: the server the global setup
 * started (or EVENTSTORE_TEST_CONNECTION_STRING). Without a container runtime
 * the suite is reported as skipped with the reason; with REQUIRE_EVENTSTOREDB=1
 * it fails instead, and it always fails when a runtime answered but the
 * server did not start.
 */
import { createServer } from 'node:net';
import { connectEventStoreDb } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { ESDB_ENV } from '../support/global-setup';
import { describeEventStoreContract } from './event-store.contract';

const connectionString = process.env[ESDB_ENV.connectionString];
const failure = process.env[ESDB_ENV.failure];
const skipReason =
  process.env[ESDB_ENV.skipReason] ??
  `the global setup provided no server and ${ESDB_ENV.connectionString} is not set`;
const required = process.env[ESDB_ENV.required] === '1';

/** A port on 127.0.0.1 that nothing listens on a moment later. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

if (connectionString !== undefined && connectionString !== '') {
  // The adapter's default limit (1 MiB) is at most any supported server's, so the
  // largest-append behaviour holds on 24.10 and on 25.1+ alike.
  describeEventStoreContract('EventStoreDB', async () => connectEventStoreDb(connectionString), {
    openUnreachable: async () =>
      connectEventStoreDb(`esdb://127.0.0.1:${await closedPort()}?tls=false`, {
        pingDeadlineMs: 500,
      }),
    notApplicable: {
      droppedSubscription:
        'a real server offers the test no way to drop one subscription; the emulator run covers it',
    },
  });
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
