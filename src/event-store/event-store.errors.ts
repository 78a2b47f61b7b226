/** Errors of the port. Adapters translate their backends' errors into these. */
import type { ExpectedRevision } from './event-store.port';

export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or undefined when it does not exist. */
    readonly actual: bigint | undefined,
  ) {
    super(
      `stream ${streamId}: expected ${String(expected)}, actual ${actual === undefined ? 'no stream' : actual.toString()}`,
    );
  }
}

/** The store cannot be reached or refused to work; the caller may retry later. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store was asked something it can never answer (bad arguments, closed store). */
export class StoreUsageError extends Error {
  override readonly name = 'StoreUsageError';
}

/**
 * The append is larger than the store takes (EventStoreDB up to 25.0 refuses
 * appends over 1 MiB, 16 MiB from 25.1). Permanent: retrying the same append
 * can never succeed, so callers must not answer it as "try again later".
 */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  constructor(
    readonly streamId: string,
    /** Bytes as `appendSizeOf` counts them; undefined when only the server knew. */
    readonly size: number | undefined,
    readonly maxAppendSize: number,
    options?: { cause?: unknown },
  ) {
    super(
      `stream ${streamId}: the append${size === undefined ? '' : ` of ${size} bytes`} exceeds the store's limit of ${maxAppendSize} bytes`,
      options,
    );
  }
}
