import { StoreUsageError } from '../event-store.errors';
import type { EventData, ExpectedRevision } from '../event-store.port';
import type { WireAppend } from './batch-writer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks an append and serialises it for the writer. Everything that could
 * make the batch transaction throw for one caller is refused here instead.
 */
export function toWireAppend(
  stream: string,
  events: readonly EventData[],
  expected: ExpectedRevision,
): WireAppend {
  if (typeof stream !== 'string' || stream === '') {
    throw new StoreUsageError('a stream id is required');
  }
  if (!isExpectedRevision(expected)) {
    throw new StoreUsageError(`expected revision ${String(expected)} is not valid`);
  }
  const rows = events.map((event) => {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new StoreUsageError(`event id "${String(event.id)}" is not a UUID`);
    }
    if (typeof event.type !== 'string' || event.type === '') {
      throw new StoreUsageError('an event type is required');
    }
    return [
      event.id,
      event.type,
      toJsonText(event.data, 'data'),
      toJsonText(event.metadata ?? {}, 'metadata'),
    ] as const;
  });
  return { stream, expected, rows };
}

export function validateMaxCount(maxCount: number): void {
  if (!Number.isSafeInteger(maxCount) || maxCount <= 0) {
    throw new StoreUsageError(`maxCount must be a positive whole number, got ${maxCount}`);
  }
}

function isExpectedRevision(value: unknown): value is ExpectedRevision {
  return (
    value === 'any' ||
    value === 'no_stream' ||
    value === 'stream_exists' ||
    (typeof value === 'bigint' && value >= 0n)
  );
}

function toJsonText(value: unknown, field: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreUsageError(`event ${field} must be a JSON object`);
  }
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new StoreUsageError(`event ${field} is not serialisable as JSON: ${String(error)}`);
  }
}
