/**
 * The emulator's in-memory transaction log: events in $all order at sparse
 * byte positions, per-stream revisions, and the writer's expected-version and
 * event-id idempotency checks. Each rule names the KurrentDB server source it
 * follows (kurrent-io/KurrentDB, tag v24.10.0 unless said otherwise).
 */
import { randomUUID } from 'node:crypto';

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly stream: string;
  readonly revision: bigint;
  /** Commit and prepare position: the same number for every event written since 20.x. */
  readonly position: bigint;
  /** Ticks (100 ns) since the Unix epoch, as the server's `created` metadata. */
  readonly created: bigint;
}

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type AppendOutcome =
  | { readonly kind: 'success'; readonly revision: bigint; readonly position: bigint }
  | { readonly kind: 'wrong_expected_version'; readonly current: bigint | undefined }
  /** IdempotentNotReady: a copy of a write not yet indexed; the server drops it without a reply. */
  | { readonly kind: 'dropped' };

type CommitCheck =
  | { readonly decision: 'ok'; readonly current: bigint }
  | { readonly decision: 'wrong_expected_version'; readonly current: bigint }
  | { readonly decision: 'idempotent'; readonly last: StoredEvent }
  | { readonly decision: 'idempotent_not_ready' };

type IndexedListener = (events: readonly StoredEvent[]) => void;

const NO_STREAM = -1n;
const TICKS_PER_MS = 10_000n;

/**
 * A fresh server's log starts with an epoch record (SystemLogRecord) that no
 * read returns, so no event sits at position 0. Its size here is that of a
 * v24.10 EpochRecord with length prefix and suffix, rounded.
 * (src/EventStore.Core/TransactionLog/LogRecords/SystemLogRecord.cs, v24.10.0)
 */
const FIRST_EVENT_POSITION = 128n;

export class EmulatedLog {
  /** Every written event in position order; the first `indexedCount` are indexed (readable). */
  private readonly records: StoredEvent[] = [];
  private indexedCount = 0;
  /** Written events by stream, pending ones included (the writer's stream-version cache). */
  private readonly byStream = new Map<string, StoredEvent[]>();
  /** Written events by id, pending ones included (the writer's committed-events cache). */
  private readonly byId = new Map<string, StoredEvent>();
  private readonly listeners = new Set<IndexedListener>();
  private readonly waiting: { readonly upTo: number; readonly resolve: () => void }[] = [];
  private nextPosition = FIRST_EVENT_POSITION;
  private indexScheduled = false;

  /** Number of events in $all (system events included), indexed or not. */
  get size(): number {
    return this.records.length;
  }

  /** Data and metadata of every written event, pending ones included, in position order. */
  storedBytes(): Buffer {
    return Buffer.concat(this.records.flatMap((event) => [event.data, event.metadata]));
  }

  /** Index of the first indexed event at or after `position` (binary search). */
  firstIndexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.indexedCount;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.records[mid]!.position < position) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  eventAt(index: number): StoredEvent | undefined {
    return index < this.indexedCount ? this.records[index] : undefined;
  }

  get indexedLength(): number {
    return this.indexedCount;
  }

  /** Indexed events of one stream, in revision order (undefined: the stream does not exist). */
  streamEvents(stream: string): readonly StoredEvent[] | undefined {
    const events = this.byStream.get(stream);
    if (events === undefined) return undefined;
    const indexed = events.filter((event) => this.isIndexed(event));
    return indexed.length === 0 ? undefined : indexed;
  }

  /** Calls `listener` with each batch of events as it is indexed; returns the unsubscribe. */
  onIndexed(listener: IndexedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Appends like the server's write path: the commit check, the write at the
   * log's end, then an answer once the write is indexed (the request manager
   * replies on CommitIndexed, RequestManagerBase.cs). Indexing runs on the next
   * turn of the event loop, so copies sent together meet a write that is
   * written but not yet indexed, as they can on a server.
   */
  append(
    stream: string,
    expected: ExpectedRevision,
    events: readonly ProposedEvent[],
  ): Promise<AppendOutcome> | AppendOutcome {
    const check = this.checkCommit(stream, expected, events);
    switch (check.decision) {
      case 'wrong_expected_version':
        return {
          kind: 'wrong_expected_version',
          current: check.current === NO_STREAM ? undefined : check.current,
        };
      case 'idempotent':
        // StorageWriterService.cs answers AlreadyCommitted with the log position of
        // the original's last event; WriteEvents.cs reports it as commit and prepare.
        return { kind: 'success', revision: check.last.revision, position: check.last.position };
      case 'idempotent_not_ready':
        // StorageWriterService.cs: "Dropping idempotent write ... since the original
        // write has not yet been replicated": no reply at all.
        return { kind: 'dropped' };
      case 'ok':
        break;
    }
    if (events.length === 0) {
      return { kind: 'success', revision: check.current, position: this.lastPosition() };
    }
    const written = this.write(stream, check.current, events);
    const last = written[written.length - 1]!;
    return new Promise<void>((resolve) => {
      this.waiting.push({ upTo: this.records.length, resolve });
      this.scheduleIndex();
    }).then(
      // StorageChaser.cs: the CommitAck carries the last prepare's log position.
      () => ({ kind: 'success', revision: last.revision, position: last.position }) as const,
    );
  }

  /** Writes and indexes at once, bypassing the checks (system or foreign events). */
  appendDirect(stream: string, event: ProposedEvent): StoredEvent {
    const current = this.byStream.get(stream)?.at(-1)?.revision ?? NO_STREAM;
    const [written] = this.write(stream, current, [event]);
    this.indexNow();
    return written!;
  }

  lastPosition(): bigint {
    return this.records[this.indexedCount - 1]?.position ?? 0n;
  }

  /**
   * IndexWriter.CheckCommit (src/EventStore.Core/Services/Storage/ReaderIndex/IndexWriter.cs,
   * v24.10.0), for a stream that is neither deleted nor a metadata stream:
   * - stream_exists on a missing stream: wrong expected version;
   * - any / stream_exists: idempotent if the first event id is already in this
   *   stream (the committed-events cache; unbounded here, bounded on a server),
   *   otherwise ok;
   * - an exact revision or no_stream below the current revision: idempotent if
   *   the events at the following revisions carry the same ids, otherwise wrong
   *   expected version;
   * - above the current revision: wrong expected version; equal: ok.
   * An idempotent write whose original is not yet indexed is IdempotentNotReady.
   */
  private checkCommit(
    stream: string,
    expected: ExpectedRevision,
    events: readonly ProposedEvent[],
  ): CommitCheck {
    const written = this.byStream.get(stream) ?? [];
    const current = written.at(-1)?.revision ?? NO_STREAM;
    if (expected === 'stream_exists' && current === NO_STREAM) {
      return { decision: 'wrong_expected_version', current };
    }
    if (expected === 'any' || expected === 'stream_exists') {
      let last: StoredEvent | undefined;
      for (const event of events) {
        const original = this.byId.get(event.id);
        if (original === undefined || original.stream !== stream) {
          return last === undefined
            ? { decision: 'ok', current }
            : { decision: 'wrong_expected_version', current }; // CorruptedIdempotency
        }
        last = original;
      }
      if (last === undefined) return { decision: 'ok', current };
      return this.idempotent(last);
    }
    const revision = expected === 'no_stream' ? NO_STREAM : expected;
    if (revision < current) {
      let last: StoredEvent | undefined;
      let next = revision;
      for (const event of events) {
        next += 1n;
        const original = written[Number(next)];
        if (original === undefined || original.id !== event.id) {
          return { decision: 'wrong_expected_version', current };
        }
        last = original;
      }
      if (last === undefined) return { decision: 'wrong_expected_version', current };
      return this.idempotent(last);
    }
    if (revision > current) return { decision: 'wrong_expected_version', current };
    return { decision: 'ok', current };
  }

  private idempotent(last: StoredEvent): CommitCheck {
    return this.isIndexed(last)
      ? { decision: 'idempotent', last }
      : { decision: 'idempotent_not_ready' };
  }

  private isIndexed(event: StoredEvent): boolean {
    const lastIndexed = this.records[this.indexedCount - 1];
    return lastIndexed !== undefined && event.position <= lastIndexed.position;
  }

  private write(stream: string, current: bigint, events: readonly ProposedEvent[]): StoredEvent[] {
    const streamEvents = this.byStream.get(stream) ?? [];
    this.byStream.set(stream, streamEvents);
    const created = BigInt(Date.now()) * TICKS_PER_MS;
    return events.map((event, offset) => {
      const stored: StoredEvent = {
        ...event,
        stream,
        revision: current + 1n + BigInt(offset),
        position: this.nextPosition,
        created,
      };
      this.nextPosition += BigInt(prepareRecordSize(stream, event));
      this.records.push(stored);
      streamEvents.push(stored);
      this.byId.set(event.id, stored);
      return stored;
    });
  }

  private scheduleIndex(): void {
    if (this.indexScheduled) return;
    this.indexScheduled = true;
    setImmediate(() => {
      this.indexScheduled = false;
      this.indexNow();
    });
  }

  private indexNow(): void {
    if (this.indexedCount === this.records.length) return;
    const batch = this.records.slice(this.indexedCount);
    this.indexedCount = this.records.length;
    for (const listener of [...this.listeners]) listener(batch);
    for (let i = this.waiting.length - 1; i >= 0; i -= 1) {
      const waiter = this.waiting[i]!;
      if (waiter.upTo <= this.indexedCount) {
        this.waiting.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

/**
 * Bytes a prepare takes in the log, with its 4-byte length prefix and suffix
 * (LogRecord.GetSizeWithLengthPrefixAndSuffix): the record header, flags,
 * transaction position and offset, expected version, stream id, event and
 * correlation ids, timestamp, event type, data and metadata, as
 * PrepareLogRecord.WriteTo writes them
 * (src/EventStore.Core/TransactionLog/LogRecords/PrepareLogRecord.cs, v24.10.0).
 */
export function prepareRecordSize(stream: string, event: ProposedEvent): number {
  const header = 1 + 1 + 8; // record type, version, log position
  const fixed = 2 + 8 + 4 + 8 + 16 + 16 + 8 + 4 + 4;
  return (
    8 +
    header +
    fixed +
    dotnetStringSize(stream) +
    dotnetStringSize(event.type) +
    event.data.length +
    event.metadata.length
  );
}

/** BinaryWriter.Write(string): a 7-bit encoded byte length, then UTF-8. */
function dotnetStringSize(value: string): number {
  let length = Buffer.byteLength(value, 'utf8');
  let size = length;
  do {
    size += 1;
    length >>>= 7;
  } while (length > 0);
  return size;
}

export function newEventId(): string {
  return randomUUID();
}
