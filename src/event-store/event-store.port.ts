/**
 * The event store port. Modelled on EventStoreDB's semantics so that both the
 * EventStoreDB adapter and the embedded SQLite adapter can honour it exactly;
 * `test/contract` pins the behaviour for every adapter.
 */
import type { Observable } from 'rxjs';

import type { JsonObject } from '../ledger/json';

export type { JsonObject, JsonValue } from '../ledger/json';

/** What the caller expects a stream to look like before the append. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export const ANY: ExpectedRevision = 'any';
export const NO_STREAM: ExpectedRevision = 'no_stream';
export const STREAM_EXISTS: ExpectedRevision = 'stream_exists';

export interface EventData {
  /** A UUID. Deterministic where the event has a natural key. */
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata?: JsonObject;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  /** Zero-based position of the event inside its stream. */
  readonly revision: bigint;
  /** Position in the whole log ($all); strictly increasing in log order. */
  readonly position: bigint;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly created: Date;
}

export interface AppendResult {
  /** Revision of the last event written: pass it as the next expected revision. */
  readonly nextExpectedRevision: bigint;
  /** Log position of the last event written. */
  readonly position: bigint;
}

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  readonly fromRevision?: bigint;
  readonly maxCount: number;
}

export interface AllFilter {
  /** Keep events whose type starts with any of these prefixes. */
  readonly eventTypePrefixes?: readonly string[];
  /** Keep events whose stream id starts with any of these prefixes. */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  readonly direction?: Direction;
  /**
   * Exclusive: the page starts with the first event after this position
   * (forwards) or before it (backwards). Omit to start at the beginning or end.
   */
  readonly after?: bigint;
  /** Page size. Required: the log is never read without a bound. */
  readonly maxCount: number;
  readonly filter?: AllFilter;
}

export interface ReadAllPage {
  readonly events: readonly RecordedEvent[];
  /** Pass as `after` to read the next page; undefined when the end was reached. */
  readonly next?: bigint;
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: deliver events after this position. Omit to start at the beginning. */
  readonly after?: bigint;
  readonly filter?: AllFilter;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'eventstoredb';
  append(
    stream: string,
    events: readonly EventData[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** Reads a stream. A stream that does not exist reads as empty. */
  readStream(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options: ReadAllOptions): Promise<ReadAllPage>;
  /**
   * Catch-up subscription to the whole log: history first, then live events,
   * with no gap and no duplicate at the hand-over. Resumes from the last
   * delivered position after a dropped connection. Completes on unsubscribe.
   */
  subscribeToAll(options?: SubscribeToAllOptions): Observable<RecordedEvent>;
  /**
   * Largest append this store accepts, in bytes as `appendSizeOf` counts
   * them; a larger one is refused with `EventTooLargeError`.
   */
  readonly maxAppendSize: number;
  /**
   * Position of the last event in the log, or of the last one the filter
   * selects (what a reader of that filter will ever see); undefined while
   * there is none. Without a filter it counts every event the port reads.
   */
  headPosition(filter?: AllFilter): Promise<bigint | undefined>;
  /** Whether the store answers right now. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
