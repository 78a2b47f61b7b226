/**
 * Client errors become ours here: what is transient, what is the server's
 * answer about an append, and what may leave the client itself stuck.
 */
import {
  CancelledError,
  convertToCommandError,
  DeadlineExceededError,
  isCommandError,
  MaxAppendSizeExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { ConcurrencyError, EventTooLargeError, StoreUnavailableError } from '../event-store.errors';
import type { ExpectedRevision } from '../event-store.port';

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

/**
 * The client's cluster discovery gave up (`Client/discovery.js` throws a
 * plain Error): no node answered gossip, which is the store being unreachable.
 */
export function isDiscoveryFailure(error: unknown): boolean {
  return error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message);
}

/** Transient errors: the store did not answer, the caller may retry later. */
export function isUnavailable(error: unknown): boolean {
  const normalised = normalise(error);
  return (
    isDiscoveryFailure(normalised) ||
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
    // A server-side timeout arrives as a DeadlineExceededError with an empty message.
    const message =
      normalised instanceof Error
        ? normalised.message.trim() || `${normalised.constructor.name} (no message)`
        : String(normalised);
    return new StoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
  }
  return normalised;
}

/**
 * The server refused the append as too large: its own limit is lower than
 * the adapter's. Up to 25.0 that is MaximumAppendSizeExceeded, which the
 * client knows; from 25.1 a single event over MaxAppendEventSize is answered
 * MaximumAppendEventSizeExceeded (Status.cs, v25.1.0), which 6.2.1 does not
 * know and reports as an UnknownError naming it ("Could not recognize …").
 * `ourLimit` stands in where the server did not say its own.
 */
export function toEventTooLarge(
  error: unknown,
  stream: string,
  ourLimit: number,
): EventTooLargeError | undefined {
  const normalised = normalise(error);
  if (normalised instanceof MaxAppendSizeExceededError) {
    return new EventTooLargeError(stream, undefined, normalised.maxAppendSize, { cause: error });
  }
  const message = normalised instanceof Error ? normalised.message : '';
  if (/MaximumAppendEventSizeExceeded|Maximum Append Event Size/.test(message)) {
    const stated = /Maximum Append Event Size of (\d+)/.exec(message)?.[1];
    const limit = stated === undefined ? ourLimit : Number(stated);
    return new EventTooLargeError(stream, undefined, limit, { cause: error });
  }
  return undefined;
}

/**
 * Whether an append's failure may have left the client stuck (see
 * `EventStoreDbClients`): anything that is neither the server's answer about
 * this append nor a failure the client recovers from by itself (UNAVAILABLE,
 * CANCELLED and NotLeader make it drop its channel and cached server features).
 */
export function mayLeaveClientStuck(error: unknown): boolean {
  const normalised = normalise(error);
  if (isDiscoveryFailure(normalised)) return true;
  if (
    normalised instanceof DeadlineExceededError ||
    normalised instanceof TimeoutError ||
    normalised instanceof UnknownError
  ) {
    return true;
  }
  return !(normalised instanceof Error && isCommandError(normalised));
}
