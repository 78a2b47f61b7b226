import { StoreUsageError } from '../event-store.errors';
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
): WireAppend {
  validateAppend(stream, []);
  if (!isExpectedRevision(expected)) {
    throw new StoreUsageError(`expected revision ${String(expected)} is not valid`);
  }
  const rows = events.map((event) => {
    validateEvent(event);
    return [
      event.id,
      event.type,
      toJsonText(event.data, 'data'),
      toJsonText(event.metadata ?? {}, 'metadata'),
    ] as const;
  });
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
