/** Usage rules every adapter enforces the same way before touching its backend. */
import { StoreUsageError } from './event-store.errors';
import type { EventData } from './event-store.port';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validateAppend(stream: string, events: readonly EventData[]): void {
  if (typeof stream !== 'string' || stream === '')
    throw new StoreUsageError('a stream id is required');
  for (const event of events) validateEvent(event);
}

export function validateEvent(event: EventData): void {
  if (typeof event.id !== 'string' || !UUID.test(event.id)) {
    throw new StoreUsageError(`event id "${String(event.id)}" is not a UUID`);
  }
  if (typeof event.type !== 'string' || event.type === '') {
    throw new StoreUsageError('an event type is required');
  }
}

export function validateMaxCount(maxCount: number): void {
  if (!Number.isSafeInteger(maxCount) || maxCount <= 0) {
    throw new StoreUsageError(`maxCount must be a positive whole number, got ${maxCount}`);
  }
}
