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
