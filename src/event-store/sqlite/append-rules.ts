import { eventSize, jsonText } from '../append-size';
import { EventTooLargeError, StoreUsageError } from '../event-store.errors';
import type { EventData, ExpectedRevision } from '../event-store.port';
import { validateAppend, validateEvent, validateMaxCount } from '../usage-rules';
import type { WireAppend } from './batch-writer';

/**
 * Checks an append and serialises it for the writer. Everything that could
 * make the batch transaction throw for one caller is refused here instead.
 */
export function toWireAppend(
  stream: string,
  events: readonly EventData[],
  expected: ExpectedRevision,
  maxAppendSize: number,
): WireAppend {
  validateAppend(stream, []);
  if (!isExpectedRevision(expected)) {
    throw new StoreUsageError(`expected revision ${String(expected)} is not valid`);
  }
  let size = 0;
  const rows = events.map((event) => {
    validateEvent(event);
    const row = [
      event.id,
      event.type,
      jsonText(event.data, 'data'),
      jsonText(event.metadata ?? {}, 'metadata'),
    ] as const;
    size += eventSize(row[1], row[2], row[3]);
    return row;
  });
  if (size > maxAppendSize) throw new EventTooLargeError(stream, size, maxAppendSize);
  return { stream, expected, rows };
}

export { validateMaxCount };

function isExpectedRevision(value: unknown): value is ExpectedRevision {
  return (
    value === 'any' ||
    value === 'no_stream' ||
    value === 'stream_exists' ||
    (typeof value === 'bigint' && value >= 0n)
  );
}
