import { connectEventStoreDb } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { describeEventStoreContract } from './event-store.contract';

const connectionString = process.env.EVENTSTORE_TEST_CONNECTION_STRING;
const skipReason =
  process.env.EVENTSTORE_CONTRACT_SKIP_REASON ?? 'EVENTSTORE_TEST_CONNECTION_STRING is not set';

if (connectionString === undefined) {
  // Reported as skipped, with the reason in its title; never a silent pass.
  console.warn(`EventStoreDB contract skipped: ${skipReason}`);
  describe.skip(`event store contract: EventStoreDB (skipped: ${skipReason})`, () => {
    it('runs the whole contract against EventStoreDB', () => undefined);
  });
} else {
  describeEventStoreContract('EventStoreDB (testcontainers)', async () =>
    connectEventStoreDb(connectionString),
  );
}
