/**
 * Streams.Read for the emulator: stream and $all reads, and catch-up
 * subscriptions to a stream or to $all (with or without a filter), as the
 * server's read enumerators answer them (kurrent-io/KurrentDB v24.10.0,
 * src/EventStore.Core/Services/Transport/Enumerators/).
 */
import { randomUUID } from 'node:crypto';
import { status, type ServerWritableStream, type ServiceError } from '@grpc/grpc-js';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { CallRegistry, FaultSwitches } from './calls';
import type { EmulatedLog, StoredEvent } from './log';
import {
  caughtUpResponse,
  checkpointResponse,
  confirmationResponse,
  eventResponse,
  streamNameOf,
  serviceError,
  streamNotFoundResponse,
} from './messages';

type ReadCall = ServerWritableStream<ReadReq, ReadResp>;
type Options = ReadReq.Options;

/** Enumerator.cs: catch-up pages are 32 events; also the default search window. */
const READ_BATCH_SIZE = 32;

/**
 * How far a reply may run ahead of what the transport has taken. A server's
 * Kestrel buffers up to MaxResponseBufferSize (64 KiB) per response before
 * it waits, on top of the HTTP/2 window, so a client that stops reading
 * mid-reply may already hold the rest of it and its status (issue 10 item 1
 * depends on that). grpc-js alone would hold a writer back after 16 messages.
 */
const RESPONSE_BUFFER_BYTES = 64 * 1_024;

/** Serialized size of an event reply, close enough to budget the buffer. */
function replySize(event: StoredEvent): number {
  return event.data.length + event.metadata.length + event.stream.length + event.type.length + 160;
}

export interface ReadContext {
  readonly log: EmulatedLog;
  readonly calls: CallRegistry;
  readonly faults: FaultSwitches;
}

export async function handleRead(context: ReadContext, call: ReadCall): Promise<void> {
  const options = call.request.getOptions();
  if (options === undefined) {
    call.emit('error', serviceError(status.INVALID_ARGUMENT, 'emulator: a read without options'));
    return;
  }
  const subscription =
    options.getCountOptionCase() === ReadReq.Options.CountOptionCase.SUBSCRIPTION;
  const session = new CallSession(call, context.calls, subscription ? 'subscription' : 'read');
  try {
    await context.faults.delay();
    if (subscription) {
      await (options.hasAll()
        ? subscribeToAll(context.log, session, options)
        : subscribeToStream(context.log, session, options));
      return;
    }
    const events = options.hasAll()
      ? readAll(context.log, options)
      : readStream(context.log, options);
    if (events === 'not_found') {
      const stream = streamNameOf(options.getStream()?.getStreamIdentifier());
      await session.send(streamNotFoundResponse(stream));
    } else {
      for (const event of events) if (!(await session.sendEvent(event))) return;
    }
    session.end();
  } finally {
    session.release();
  }
}

/** One open Read call: its writes, its end, and its place in the registry. */
class CallSession {
  private over = false;
  private unflushed = 0;
  readonly release: () => void;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly call: ReadCall,
    calls: CallRegistry,
    kind: 'read' | 'subscription',
  ) {
    this.release = calls.open({ kind, fail: (error) => this.fail(error) });
    const finish = () => this.finish();
    call.on('cancelled', finish);
    call.on('close', finish);
    call.on('error', finish);
  }

  get isOver(): boolean {
    return this.over;
  }

  /** Writes one reply; waits while the replies not yet flushed exceed the buffer. */
  async send(message: ReadResp, size = 64): Promise<boolean> {
    if (this.over) return false;
    this.unflushed += size;
    this.call.write(message, () => {
      this.unflushed -= size;
      if (this.unflushed <= RESPONSE_BUFFER_BYTES) this.wake();
    });
    while (!this.over && this.unflushed > RESPONSE_BUFFER_BYTES) await this.wait();
    return !this.over;
  }

  sendEvent(event: StoredEvent): Promise<boolean> {
    return this.send(eventResponse(event), replySize(event));
  }

  end(): void {
    if (this.over) return;
    this.finish();
    this.call.end();
  }

  /** Resolves when `wake()` is called or the call is over. */
  wait(): Promise<void> {
    if (this.over) return Promise.resolve();
    return new Promise((resolve) => this.wakers.add(resolve));
  }

  wake(): void {
    for (const wake of [...this.wakers]) wake();
    this.wakers.clear();
  }

  private fail(error: ServiceError): void {
    if (this.over) return;
    this.finish();
    this.call.emit('error', error);
  }

  private finish(): void {
    if (this.over) return;
    this.over = true;
    this.release();
    this.wake();
  }
}

function countOf(options: Options): number {
  const count = BigInt(options.getCount() || '0');
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

/**
 * Enumerator.ReadStreamForwards/Backwards.cs: by revision, inclusive of the
 * starting revision in both directions; a missing stream answers StreamNotFound.
 */
function readStream(log: EmulatedLog, options: Options): readonly StoredEvent[] | 'not_found' {
  const streamOptions = options.getStream()!;
  const events = log.streamEvents(streamNameOf(streamOptions.getStreamIdentifier()));
  if (events === undefined) return 'not_found';
  const count = countOf(options);
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const last = events.length - 1;
  let from: number;
  switch (streamOptions.getRevisionOptionCase()) {
    case ReadReq.Options.StreamOptions.RevisionOptionCase.REVISION: {
      const revision = BigInt(streamOptions.getRevision());
      from = revision > BigInt(last) ? (backwards ? last : events.length) : Number(revision);
      break;
    }
    case ReadReq.Options.StreamOptions.RevisionOptionCase.END:
      from = backwards ? last : events.length;
      break;
    case ReadReq.Options.StreamOptions.RevisionOptionCase.START:
    case ReadReq.Options.StreamOptions.RevisionOptionCase.REVISION_OPTION_NOT_SET:
      from = backwards ? -1 : 0;
      break;
  }
  if (backwards) return events.slice(Math.max(0, from - count + 1), from + 1).reverse();
  return events.slice(from, from + count);
}

/**
 * $all reads (ReadIndex AllReader.cs, v24.10.0): forwards returns the events
 * at or after `fromPosition` (`TFPos(prepare.LogPosition, ...) >= pos`),
 * backwards the events whose record ends at or before it, so the event at
 * exactly `fromPosition` is excluded. From the end forwards returns nothing.
 */
function readAll(log: EmulatedLog, options: Options): readonly StoredEvent[] {
  const all = options.getAll()!;
  const count = countOf(options);
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const length = log.indexedLength;
  let from: number;
  switch (all.getAllOptionCase()) {
    case ReadReq.Options.AllOptions.AllOptionCase.POSITION:
      from = log.firstIndexAtOrAfter(BigInt(all.getPosition()!.getCommitPosition()));
      break;
    case ReadReq.Options.AllOptions.AllOptionCase.END:
      from = length;
      break;
    case ReadReq.Options.AllOptions.AllOptionCase.START:
    case ReadReq.Options.AllOptions.AllOptionCase.ALL_OPTION_NOT_SET:
      from = backwards ? length : 0;
      break;
  }
  const events: StoredEvent[] = [];
  if (backwards) {
    for (let i = from - 1; i >= 0 && events.length < count; i -= 1) events.push(log.eventAt(i)!);
  } else {
    for (let i = from; i < length && events.length < count; i += 1) events.push(log.eventAt(i)!);
  }
  return events;
}

type FollowMessage =
  | { readonly event: StoredEvent }
  /** `undefined`: nothing sent yet. */
  | { readonly checkpoint: bigint | undefined };

interface FollowPlan {
  /** What to send while catching up over the indexed events before index `end`. */
  catchUp(end: number): Iterable<FollowMessage>;
  /** What to send for one live event. */
  live(event: StoredEvent): Iterable<FollowMessage>;
}

/**
 * Enumerator.StreamSubscription.cs: confirmation, the stream's events after
 * the given revision (all from the start, none from the end), CaughtUp, then
 * live events. A stream that does not exist yet is simply caught up.
 */
async function subscribeToStream(
  log: EmulatedLog,
  session: CallSession,
  options: Options,
): Promise<void> {
  const streamOptions = options.getStream()!;
  const stream = streamNameOf(streamOptions.getStreamIdentifier());
  let after: bigint;
  switch (streamOptions.getRevisionOptionCase()) {
    case ReadReq.Options.StreamOptions.RevisionOptionCase.REVISION:
      after = BigInt(streamOptions.getRevision());
      break;
    case ReadReq.Options.StreamOptions.RevisionOptionCase.END:
      after = log.streamEvents(stream)?.at(-1)?.revision ?? -1n;
      break;
    case ReadReq.Options.StreamOptions.RevisionOptionCase.START:
    case ReadReq.Options.StreamOptions.RevisionOptionCase.REVISION_OPTION_NOT_SET:
      after = -1n;
      break;
  }
  await follow(log, session, {
    *catchUp(end) {
      const limit = log.eventAt(end - 1)?.position ?? -1n;
      for (const event of log.streamEvents(stream) ?? []) {
        if (event.position > limit) return;
        if (event.revision > after) yield { event };
      }
    },
    *live(event) {
      if (event.stream === stream && event.revision > after) yield { event };
    },
  });
}

/**
 * Enumerator.AllSubscription.cs and AllSubscriptionFiltered.cs: confirmation,
 * the events strictly after `fromPosition` (all from the start, none from the
 * end), CaughtUp, then live events. A filtered subscription also sends
 * checkpoints: while catching up, after a page of `maxSearchWindow` events
 * once `checkpointIntervalMultiplier * maxSearchWindow` events were
 * considered (at the last event sent, or the page's start if later), and one
 * on reaching the end; live, every interval's worth of events considered
 * (SubscriptionsService.cs ProcessEventCommited).
 */
async function subscribeToAll(
  log: EmulatedLog,
  session: CallSession,
  options: Options,
): Promise<void> {
  const all = options.getAll()!;
  let after: bigint | undefined;
  switch (all.getAllOptionCase()) {
    case ReadReq.Options.AllOptions.AllOptionCase.POSITION:
      after = BigInt(all.getPosition()!.getCommitPosition());
      break;
    case ReadReq.Options.AllOptions.AllOptionCase.END:
      after = log.lastPosition();
      break;
    case ReadReq.Options.AllOptions.AllOptionCase.START:
    case ReadReq.Options.AllOptions.AllOptionCase.ALL_OPTION_NOT_SET:
      after = undefined;
      break;
  }
  const filter = options.hasFilter() ? toEventFilter(options.getFilter()!) : undefined;
  const start = after === undefined ? 0 : log.firstIndexAtOrAfter(after + 1n);
  let checkpoint = after;
  let considered = 0;
  await follow(log, session, {
    *catchUp(end) {
      const window = filter?.window ?? READ_BATCH_SIZE;
      for (let page = start; page < end; page += window) {
        const pageEnd = Math.min(page + window, end);
        for (let i = page; i < pageEnd; i += 1) {
          const event = log.eventAt(i)!;
          if (filter !== undefined && !filter.allows(event)) continue;
          checkpoint = event.position;
          yield { event };
        }
        if (filter === undefined || pageEnd === end) continue;
        considered += pageEnd - page;
        if (considered >= filter.interval) {
          considered %= filter.interval;
          const pageStart = log.eventAt(page)!.position;
          if (checkpoint === undefined || checkpoint < pageStart) checkpoint = pageStart;
          yield { checkpoint };
        }
      }
      // "issue a checkpoint when going live to make sure that at least one
      // checkpoint is issued within the checkpoint interval"
      if (filter !== undefined) yield { checkpoint };
      considered = 0;
    },
    *live(event) {
      if (filter === undefined || filter.allows(event)) yield { event };
      if (filter === undefined) return;
      considered += 1;
      if (considered >= filter.interval) {
        considered = 0;
        yield { checkpoint: event.position };
      }
    },
  });
}

/**
 * The shape every subscription enumerator shares: subscribe to live events
 * first (so none is missed), confirm, send the catch-up, CaughtUp, then the
 * live events, each once and in position order.
 */
async function follow(log: EmulatedLog, session: CallSession, plan: FollowPlan): Promise<void> {
  const live: StoredEvent[] = [];
  const unsubscribe = log.onIndexed((events) => {
    live.push(...events);
    session.wake();
  });
  const send = (message: FollowMessage) =>
    'event' in message
      ? session.sendEvent(message.event)
      : session.send(checkpointResponse(message.checkpoint));
  try {
    const end = log.indexedLength;
    if (!(await session.send(confirmationResponse(randomUUID())))) return;
    for (const message of plan.catchUp(end)) if (!(await send(message))) return;
    if (!(await session.send(caughtUpResponse()))) return;
    for (;;) {
      while (live.length > 0) {
        for (const message of plan.live(live.shift()!)) if (!(await send(message))) return;
      }
      if (session.isOver) return;
      await session.wait();
    }
  } finally {
    unsubscribe();
  }
}

interface EventFilter {
  allows(event: StoredEvent): boolean;
  /** Events per catch-up page (maxSearchWindow). */
  readonly window: number;
  /** Events considered between checkpoints. */
  readonly interval: number;
}

/** Streams.Read.cs ConvertToEventFilter and EventFilter.cs: prefixes or one regex, on type or stream. */
function toEventFilter(options: ReadReq.Options.FilterOptions): EventFilter {
  const onType = options.getFilterCase() === ReadReq.Options.FilterOptions.FilterCase.EVENT_TYPE;
  const expression = onType ? options.getEventType()! : options.getStreamIdentifier()!;
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const test =
    regex !== ''
      ? (value: string) => new RegExp(regex).test(value)
      : (value: string) => prefixes.some((prefix) => value.startsWith(prefix));
  const window = options.hasMax() ? options.getMax() : READ_BATCH_SIZE;
  return {
    allows: (event) => test(onType ? event.type : event.stream),
    window,
    interval: Math.max(1, options.getCheckpointintervalmultiplier()) * window,
  };
}
