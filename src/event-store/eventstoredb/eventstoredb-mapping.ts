/** Pure translations between @eventstore/db-client 6.x types and our port. */
import {
  END,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  START,
  streamNameFilter,
  type EventData as EsdbEventData,
  type Filter,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import type {
  AllFilter,
  Direction,
  EventData,
  JsonObject,
  RecordedEvent,
} from '../event-store.port';

/**
 * Where the port's event id travels. The server's event id is fresh on every
 * append attempt instead: EventStoreDB answers an append whose event ids it
 * has already written at the expected position as an idempotent success with
 * the original's position (`IndexWriter.CheckCommit`), and copies that race
 * the original before it is indexed get no answer at all. Our duplicate guard
 * is the expected-state check (`no_stream` on a delivery's own stream) and the
 * port promises a ConcurrencyError for a repeat, as SQLite gives; with ids
 * the server has never seen, that check is the only one the server applies.
 * The port's id is kept beside the caller's metadata under this reserved key
 * and given back as the id on every read; the key is stripped from metadata.
 * Events written by other applications (no key) keep the server's id.
 */
export const EVENT_ID_METADATA_KEY = '$ledgerEventId';

export function toWireEvent({ id, type, data, metadata }: EventData): EsdbEventData {
  return jsonEvent({
    id: randomUUID(),
    type,
    data,
    metadata: { ...(metadata ?? {}), [EVENT_ID_METADATA_KEY]: id },
  });
}

/**
 * Our log position is the commit position. Assumption: every event this
 * service reads was written by a plain append (no explicit transaction), and
 * EventStoreDB 20+ then records it with commit == prepare, so the client's
 * pair is rebuilt from the one number we keep.
 */
export function toEsdbPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

/**
 * Where a read of $all starts. The client's `fromPosition` is inclusive for
 * reads, so a page that starts "after" a position must still drop the event
 * found at exactly that position (see `isPastCursor`).
 */
export function toReadPosition(after: bigint | undefined, direction: Direction): ReadPosition {
  if (after === undefined) return direction === 'backwards' ? END : START;
  return toEsdbPosition(after);
}

/** Whether an event read from $all lies strictly beyond the exclusive cursor. */
export function isPastCursor(
  position: bigint,
  cursor: bigint | undefined,
  direction: Direction,
): boolean {
  if (cursor === undefined) return true;
  return direction === 'backwards' ? position < cursor : position > cursor;
}

/** The commit position of a read or subscribed event, or undefined when the server sent none. */
export function commitPositionOf(resolved: ResolvedEvent): bigint | undefined {
  return resolved.event?.position?.commit ?? resolved.commitPosition;
}

export function isSystemEvent(type: string, streamId: string): boolean {
  return type.startsWith('$') || streamId.startsWith('$');
}

/**
 * Our view of a stored event; undefined for system events and for anything
 * that is not a JSON event (the port only carries JSON objects).
 */
export function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined || !event.isJson) return undefined;
  if (isSystemEvent(event.type, event.streamId)) return undefined;
  const position = commitPositionOf(resolved);
  if (position === undefined) return undefined;
  const { [EVENT_ID_METADATA_KEY]: portId, ...metadata } = asJsonObject(event.metadata);
  return {
    id: typeof portId === 'string' ? portId : event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position,
    data: asJsonObject(event.data),
    metadata,
    created: event.created,
  };
}

function asJsonObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}

/** An empty prefix list means "no constraint", the same as an absent one. */
export function matchesFilter(event: RecordedEvent, filter: AllFilter | undefined): boolean {
  const types = filter?.eventTypePrefixes ?? [];
  const streams = filter?.streamPrefixes ?? [];
  return (
    (types.length === 0 || types.some((prefix) => event.type.startsWith(prefix))) &&
    (streams.length === 0 || streams.some((prefix) => event.streamId.startsWith(prefix)))
  );
}

/**
 * The server applies one filter per subscription: stream prefixes when given
 * (usually the narrower one here: one stream family per read model), else
 * event-type prefixes, else "no system events". `matchesFilter` then applies
 * the whole filter on our side, so giving both is exact.
 */
export function toServerFilter(filter: AllFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length) {
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  }
  if (filter?.eventTypePrefixes?.length) {
    return eventTypeFilter({ prefixes: [...filter.eventTypePrefixes] });
  }
  return excludeSystemEvents();
}

export { validateAppend, validateMaxCount } from '../usage-rules';
