/** Pure translations between @eventstore/db-client 6.x types and our port. */
import {
  CancelledError,
  convertToCommandError,
  DeadlineExceededError,
  END,
  eventTypeFilter,
  excludeSystemEvents,
  NotLeaderError,
  START,
  streamNameFilter,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  type Filter,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ConcurrencyError, StoreUnavailableError } from '../event-store.errors';
import type {
  AllFilter,
  Direction,
  ExpectedRevision,
  JsonObject,
  RecordedEvent,
} from '../event-store.port';

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
  return {
    id: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: event.revision,
    position,
    data: asJsonObject(event.data),
    metadata: asJsonObject(event.metadata),
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

/**
 * Brings raw gRPC errors to the client's typed errors: some client paths
 * (batch append when no connection is established) reject with the bare
 * `ServiceError` (`code` 14, `details`) instead of an `UnavailableError`.
 */
function normalise(error: unknown): unknown {
  const isServiceError =
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'number' &&
    'details' in error &&
    typeof error.details === 'string';
  return isServiceError ? convertToCommandError(error) : error;
}

/** Transient errors: the store did not answer, the caller may retry later. */
export function isUnavailable(error: unknown): boolean {
  const normalised = normalise(error);
  return (
    normalised instanceof UnavailableError ||
    normalised instanceof DeadlineExceededError ||
    normalised instanceof TimeoutError ||
    normalised instanceof CancelledError ||
    normalised instanceof NotLeaderError
  );
}

/**
 * Translates client errors at the edge. `stream` and `expected` are the
 * append's own arguments: they are exact, where the error's copy of the
 * expected revision is a legacy number on older servers.
 */
export function translateError(
  error: unknown,
  stream?: string,
  expected?: ExpectedRevision,
): unknown {
  const normalised = normalise(error);
  if (normalised instanceof WrongExpectedVersionError) {
    const actual = normalised.actualVersion;
    return new ConcurrencyError(
      stream ?? normalised.streamName,
      expected ?? normalised.expectedVersion,
      // Older servers report a missing stream as actual version -1.
      actual === 'no_stream' || actual < 0n ? undefined : actual,
    );
  }
  if (isUnavailable(normalised)) {
    const message = normalised instanceof Error ? normalised.message : String(normalised);
    return new StoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
  }
  return normalised;
}

export { validateAppend, validateMaxCount } from '../usage-rules';
