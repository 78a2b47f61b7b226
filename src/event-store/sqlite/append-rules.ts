import { ConcurrencyError, StoreUsageError } from '../event-store.errors';
import type { EventData, ExpectedRevision } from '../event-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateAppend(stream: string, events: readonly EventData[]): void {
  if (typeof stream !== 'string' || stream === '')
    throw new StoreUsageError('a stream id is required');
  for (const event of events) {
    if (!UUID.test(event.id)) throw new StoreUsageError(`event id "${event.id}" is not a UUID`);
    if (event.type === '') throw new StoreUsageError('an event type is required');
  }
}

export function validateMaxCount(maxCount: number): void {
  if (!Number.isSafeInteger(maxCount) || maxCount <= 0) {
    throw new StoreUsageError(`maxCount must be a positive whole number, got ${maxCount}`);
  }
}

/** EventStoreDB's expected-revision rules; `actual` is undefined for a stream that does not exist. */
export function checkExpected(
  stream: string,
  expected: ExpectedRevision,
  actual: bigint | undefined,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual === undefined) ||
    (expected === 'stream_exists' && actual !== undefined) ||
    (typeof expected === 'bigint' && actual === expected);
  if (!ok) throw new ConcurrencyError(stream, expected, actual);
}
