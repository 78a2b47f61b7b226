import { StoreUnavailableError, StoreUsageError } from '../event-store/event-store.errors';
import type { EventStore } from '../event-store/event-store.port';
import { EventStoreUnavailable } from '../ledger/errors';
import type { Erasure } from '../erasure/erasure.service';
import { StoredDeliveries } from './stored-deliveries';

function failingWith(error: Error): StoredDeliveries {
  const store = { readStream: () => Promise.reject(error) } as unknown as EventStore;
  // The log fails before anything is opened: no erasure keys are consulted.
  return new StoredDeliveries(store, {} as Erasure);
}

const EVENT_ID = '00000000-0000-4000-8000-000000000000';

describe('stored deliveries', () => {
  it('answers a log that cannot be read now as 503 "retry later" (Retry-After 5), not as our fault', async () => {
    const down = new StoreUnavailableError('no node answered');
    const deliveries = failingWith(down);
    for (const read of [() => deliveries.byEventId(EVENT_ID), () => deliveries.byStream('s')]) {
      const refusal = await read().catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(EventStoreUnavailable);
      expect(refusal).toMatchObject({ status: 503, retryAfterSeconds: 5, cause: down });
    }
  });

  it('leaves any other failure a fault of ours', async () => {
    const misuse = new StoreUsageError('the store is closed');
    await expect(failingWith(misuse).byEventId(EVENT_ID)).rejects.toBe(misuse);
  });
});
