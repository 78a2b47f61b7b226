/** Pure translations between EventStoreDB's client types and our port. */
import {
  CancelledError,
  DeadlineExceededError,
  eventTypeFilter,
  excludeSystemEvents,
  NotLeaderError,
  NO_STREAM as ESDB_NO_STREAM,
  streamNameFilter,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type Filter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ConcurrencyError, StoreUnavailableError } from '../event-store.errors';
import type { AllFilter, ExpectedRevision, JsonObject, RecordedEvent } from '../event-store.port';

/**
 * Our log position is the commit position. For events written outside
 * explicit transactions (the only kind this service writes), EventStoreDB 20+
 * gives each event commit == prepare, so the pair is rebuilt from one number.
 */
export function toEsdbPosition(position: bigint): Position {
  return { commit: position, prepare: position };
}

export function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined || !event.isJson) return undefined;
  if (event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position?.commit ?? resolved.commitPosition ?? -1n,
    data: event.data as JsonObject,
    metadata: (event.metadata ?? {}) as JsonObject,
    created: event.created,
  };
}

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
 * (the narrower one for us), else event-type prefixes, else "no system events".
 * `matchesFilter` applies the rest on our side.
 */
export function toServerFilter(filter: AllFilter | undefined): Filter {
  if (filter?.streamPrefixes?.length)
    return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  if (filter?.eventTypePrefixes?.length)
    return eventTypeFilter({ prefixes: [...filter.eventTypePrefixes] });
  return excludeSystemEvents();
}

/** Translates client errors at the edge; anything unknown passes through unchanged. */
export function translateError(
  error: unknown,
  stream?: string,
  expected?: ExpectedRevision,
): unknown {
  if (error instanceof WrongExpectedVersionError) {
    const actual = error.actualVersion === ESDB_NO_STREAM ? undefined : error.actualVersion;
    return new ConcurrencyError(stream ?? error.streamName, expected ?? 'any', actual);
  }
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError
  ) {
    return new StoreUnavailableError(`EventStoreDB: ${error.message}`, { cause: error });
  }
  return error;
}
