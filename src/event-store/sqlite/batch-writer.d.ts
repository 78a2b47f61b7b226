import type Database from 'better-sqlite3';

export type WireExpected = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface WireAppend {
  readonly stream: string;
  readonly expected: WireExpected;
  /** [event id, type, data JSON, metadata JSON] per event. */
  readonly rows: readonly (readonly [string, string, string, string])[];
}

export interface WireBatch {
  readonly appends: readonly WireAppend[];
  readonly created: bigint;
}

/**
 * Per append: the new revision and log position; or the stream's actual
 * revision when the expectation failed (null: no stream); or why the database
 * refused this append alone.
 */
export type WireOutcome =
  | { readonly ok: readonly [bigint, bigint] }
  | { readonly conflict: bigint | null }
  | { readonly failure: string };

export function createBatchWriter(db: Database.Database): (batch: WireBatch) => WireOutcome[];
