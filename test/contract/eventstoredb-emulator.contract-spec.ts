/**
 * The event store contract against our EventStoreDB adapter on the EventStoreDB
 * emulator (test/support/esdb-emulator): the real client over gRPC to an
 * in-process stand-in, in every run. Green here is not a real server passing;
 * that run is eventstoredb.contract-spec.ts.
 */
import { createServer } from 'node:net';
import { connectEventStoreDb } from '../../src/event-store/eventstoredb/eventstoredb-event-store';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdb-emulator';
import { describeEventStoreContract } from './event-store.contract';

/** ClusterVNodeOptions.cs MaxAppendSize of v24.10 (the compose file's server). */
const MAX_APPEND_SIZE = 1_024 * 1_024;

let emulator: EsdbEmulator | undefined;
afterAll(() => emulator?.stop());

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('emulator: no free port');
  return address.port;
}

describeEventStoreContract(
  'EventStoreDB emulator (adapter over the real client, not a real server)',
  async () => {
    emulator = await startEsdbEmulator({ maxAppendSize: MAX_APPEND_SIZE });
    return connectEventStoreDb(emulator.connectionString, { maxAppendSize: MAX_APPEND_SIZE });
  },
  {
    appendDirect: (stream, type, data) => {
      emulator!.appendDirect(stream, type, data);
    },
    openUnreachable: async () =>
      connectEventStoreDb(`esdb://127.0.0.1:${await freePort()}?tls=false`, {
        pingDeadlineMs: 500,
      }),
    dropOneSubscription: () => emulator!.faults.dropOneSubscription(),
  },
);
