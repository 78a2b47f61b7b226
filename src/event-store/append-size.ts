/**
 * How big an append is, the same on every adapter. It follows the rule
 * EventStoreDB applies to an append (KurrentDB `Event.SizeOnDisk`, summed in
 * `Streams.Append` / `BatchAppend`: data bytes + metadata bytes + 2 bytes per
 * character of the type) plus a fixed allowance per event for what an adapter
 * stores beside the caller's metadata (the EventStoreDB adapter keeps the
 * event id there), so an append within the limit here is within the server's.
 */
import { StoreUsageError } from './event-store.errors';
import type { EventData } from './event-store.port';

/** Room per event for the adapter's own metadata (at most 60 bytes today). */
export const ADAPTER_METADATA_ALLOWANCE = 64;

export function appendSizeOf(events: readonly EventData[]): number {
  let size = 0;
  for (const event of events) {
    size += eventSize(
      event.type,
      jsonText(event.data, 'data'),
      jsonText(event.metadata ?? {}, 'metadata'),
    );
  }
  return size;
}

/** One event's share, from its data and metadata already serialised. */
export function eventSize(type: string, data: string, metadata: string): number {
  return (
    Buffer.byteLength(data) +
    Buffer.byteLength(metadata) +
    type.length * 2 +
    ADAPTER_METADATA_ALLOWANCE
  );
}

/** An event's data or metadata as stored: a JSON object, serialised. */
export function jsonText(value: unknown, field: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoreUsageError(`event ${field} must be a JSON object`);
  }
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new StoreUsageError(`event ${field} is not serialisable as JSON: ${String(error)}`);
  }
}

export function validateMaxAppendSize(maxAppendSize: number): number {
  if (!Number.isSafeInteger(maxAppendSize) || maxAppendSize <= ADAPTER_METADATA_ALLOWANCE) {
    throw new StoreUsageError(
      `maxAppendSize must be a whole number of bytes above ${ADAPTER_METADATA_ALLOWANCE}, got ${maxAppendSize}`,
    );
  }
  return maxAppendSize;
}
