/**
 * Streams.BatchAppend (what client 6.2.1 uses once the server lists it) and
 * Streams.Append for the emulator, as the server's gRPC layer answers them
 * (kurrent-io/KurrentDB v24.10.0, src/EventStore.Core/Services/Transport/Grpc/
 * Streams.BatchAppend.cs and Streams.Append.cs).
 */
import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServiceError,
  sendUnaryData,
} from '@grpc/grpc-js';
import { AllStreamPosition, Empty, type UUID } from '@eventstore/db-client/generated/shared_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
} from '@eventstore/db-client/generated/streams_pb';
import type { Status } from '@eventstore/db-client/generated/status_pb';
import type { CallRegistry, FaultSwitches } from './calls';
import type { AppendOutcome, EmulatedLog, ExpectedRevision, ProposedEvent } from './log';
import {
  maxAppendEventSizeError,
  maxAppendSizeError,
  maximumAppendEventSizeStatus,
  maximumAppendSizeStatus,
  notLeaderError,
  streamIdentifier,
  streamNameOf,
  timeoutStatus,
  unavailableError,
  writeTimeoutError,
  wrongExpectedVersionStatus,
} from './messages';

/**
 * Database.WriteTimeoutMs (ClusterVNodeOptions.cs, v24.10.0): a write that
 * gets no storage reply (a dropped idempotent copy) times out after it.
 */
const WRITE_TIMEOUT_MS = 2_000;

export interface AppendContext {
  readonly log: EmulatedLog;
  readonly calls: CallRegistry;
  readonly faults: FaultSwitches;
  readonly appendSizeRule: AppendSizeRule;
  /** MaxAppendSize under 'v24.10', MaxAppendEventSize under 'v25.1'. */
  readonly maxAppendSize: number;
  readonly host: string;
  readonly port: () => number;
}

/**
 * Which server's append-size rule to follow:
 * - 'v24.10': MaxAppendSize (default 1 MiB) over the whole append, answered
 *   MaximumAppendSizeExceeded. Event.SizeOnDisk there reads `data?.Length ?? 0 +
 *   metadata?.Length ?? 0 + eventType.Length * 2`, which binds as
 *   `data.Length ?? (...)`: only the data bytes count
 *   (src/EventStore.Core/Data/Event.cs, v24.10.0).
 * - 'v25.1': each event's data + metadata + 2 x type length against
 *   MaxAppendEventSize (default 16 MiB), answered MaximumAppendEventSizeExceeded,
 *   which client 6.2.1 does not know (it throws UnknownError); the whole append
 *   against MaxAppendSize, now the chunk size, 256 MiB
 *   (src/KurrentDB.Core/Services/Transport/Grpc/Streams.BatchAppend.cs, v25.1.0).
 */
export type AppendSizeRule = 'v24.10' | 'v25.1';

/** TFConsts.ChunkSize, v25.1.0's default and largest MaxAppendSize. */
const CHUNK_SIZE = 256 * 1_024 * 1_024;

interface SizeRefusal {
  /** The BatchAppendResp error. */
  readonly status: Status;
  /** The unary Append's RpcException. */
  readonly error: ServiceError;
}

/** Adds events to a running total; returns the refusal once the rule is broken. */
function checkSize(
  rule: AppendSizeRule,
  limit: number,
  running: { size: number },
  events: readonly ProposedEvent[],
): SizeRefusal | undefined {
  for (const event of events) {
    if (rule === 'v24.10') {
      running.size += event.data.length;
      continue;
    }
    const size = event.data.length + event.metadata.length + event.type.length * 2;
    if (size > limit) {
      return {
        status: maximumAppendEventSizeStatus(event.id, size, limit),
        error: maxAppendEventSizeError(event.id, size, limit),
      };
    }
    running.size += size;
  }
  const total = rule === 'v24.10' ? limit : CHUNK_SIZE;
  if (running.size <= total) return undefined;
  return { status: maximumAppendSizeStatus(total), error: maxAppendSizeError(total) };
}

function proposedEvent(
  message: BatchAppendReq.ProposedMessage | AppendReq.ProposedMessage,
): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    id: message.getId()?.getString() ?? '',
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    metadata: message.getCustomMetadata_asU8(),
  };
}

interface PendingWrite {
  readonly correlation: UUID;
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: ProposedEvent[];
  readonly running: { size: number };
  readonly timer: NodeJS.Timeout;
}

function batchExpected(options: BatchAppendReq.Options): ExpectedRevision {
  switch (options.getExpectedStreamPositionCase()) {
    case BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_POSITION:
      return BigInt(options.getStreamPosition());
    case BatchAppendReq.Options.ExpectedStreamPositionCase.NO_STREAM:
      return 'no_stream';
    case BatchAppendReq.Options.ExpectedStreamPositionCase.STREAM_EXISTS:
      return 'stream_exists';
    case BatchAppendReq.Options.ExpectedStreamPositionCase.ANY:
    case BatchAppendReq.Options.ExpectedStreamPositionCase.EXPECTED_STREAM_POSITION_NOT_SET:
      return 'any';
  }
}

/**
 * One BatchAppend call carries every append of a client, each tagged with a
 * correlation id; answers come back on the same call in completion order.
 */
export function handleBatchAppend(
  context: AppendContext,
  call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>,
): void {
  const pending = new Map<string, PendingWrite>();
  /** Request-manager timeouts of dropped copies, due to answer Timeout. */
  const timeouts = new Set<NodeJS.Timeout>();
  let over = false;
  const finish = () => {
    if (over) return;
    over = true;
    release();
    for (const write of pending.values()) clearTimeout(write.timer);
    pending.clear();
    for (const timer of timeouts) clearTimeout(timer);
    timeouts.clear();
  };
  const fail = (error: ServiceError) => {
    if (over) return;
    finish();
    call.emit('error', error);
  };
  const release = context.calls.open({ kind: 'batch-append', fail });
  call.on('cancelled', finish);
  call.on('close', finish);
  call.on('error', finish);
  call.on('end', () => {
    if (!over) call.end();
  });

  const answer = async (
    write: Pick<PendingWrite, 'correlation' | 'stream'>,
    result:
      | { readonly error: Status }
      | { readonly outcome: Extract<AppendOutcome, { kind: 'success' }> },
  ) => {
    await context.faults.delay();
    if (over) return;
    const response = new BatchAppendResp();
    response.setCorrelationId(write.correlation);
    response.setStreamIdentifier(streamIdentifier(write.stream));
    if ('error' in result) {
      response.setError(result.error);
    } else {
      const success = new BatchAppendResp.Success();
      success.setCurrentRevision(result.outcome.revision.toString());
      const position = new AllStreamPosition();
      position.setCommitPosition(result.outcome.position.toString());
      position.setPreparePosition(result.outcome.position.toString());
      success.setPosition(position);
      response.setSuccess(success);
    }
    call.write(response);
  };

  const commit = async (write: PendingWrite) => {
    if (context.faults.failAppends) return fail(unavailableError('appends are failing'));
    if (context.faults.notLeader) {
      // A node that cannot take the write answers NotHandled(NotLeader); the
      // server throws RpcExceptions.LeaderInfo from the reply callback, which
      // completes the whole call with that error.
      return fail(notLeaderError(context.host, context.port()));
    }
    const outcome = await context.log.append(write.stream, write.expected, write.events);
    switch (outcome.kind) {
      case 'success':
        return answer(write, { outcome });
      case 'wrong_expected_version':
        return answer(write, {
          error: wrongExpectedVersionStatus(outcome.current, write.expected),
        });
      case 'dropped':
        return answerTimeoutLater(write);
    }
  };

  /** No storage reply: the request manager times out (OperationResult.PrepareTimeout). */
  const answerTimeoutLater = (write: PendingWrite) => {
    const timer = setTimeout(() => {
      timeouts.delete(timer);
      void answer(write, { error: timeoutStatus() });
    }, WRITE_TIMEOUT_MS);
    timeouts.add(timer);
  };

  call.on('data', (request: BatchAppendReq) => {
    const correlation = request.getCorrelationId();
    const id = correlation?.getString() ?? '';
    const options = request.getOptions();
    if (options !== undefined && correlation !== undefined && !pending.has(id)) {
      const stream = streamNameOf(options.getStreamIdentifier());
      const deadline = options.getDeadline()?.toDate().getTime() ?? Number.POSITIVE_INFINITY;
      const timeout = Math.min(deadline - Date.now(), WRITE_TIMEOUT_MS);
      if (timeout <= 0) {
        void answer({ correlation, stream }, { error: timeoutStatus() });
        return;
      }
      const timer = setTimeout(() => {
        if (pending.delete(id)) void answer({ correlation, stream }, { error: timeoutStatus() });
      }, timeout);
      pending.set(id, {
        correlation,
        stream,
        expected: batchExpected(options),
        events: [],
        running: { size: 0 },
        timer,
      });
    }
    const write = pending.get(id);
    if (write === undefined) return;
    const events = request.getProposedMessagesList().map(proposedEvent);
    write.events.push(...events);
    const refusal = checkSize(context.appendSizeRule, context.maxAppendSize, write.running, events);
    if (refusal !== undefined) {
      pending.delete(id);
      clearTimeout(write.timer);
      void answer(write, { error: refusal.status });
      return;
    }
    if (!request.getIsFinal()) return;
    pending.delete(id);
    clearTimeout(write.timer);
    void commit(write);
  });
}

function appendExpected(options: AppendReq.Options): ExpectedRevision {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return BigInt(options.getRevision());
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return 'no_stream';
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return 'stream_exists';
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
    case AppendReq.Options.ExpectedStreamRevisionCase.EXPECTED_STREAM_REVISION_NOT_SET:
      return 'any';
  }
}

/** The older one-append-per-call RPC: client 6.2.1 uses it only with per-call credentials. */
export function handleAppend(
  context: AppendContext,
  call: ServerReadableStream<AppendReq, AppendResp>,
  callback: sendUnaryData<AppendResp>,
): void {
  let stream = '';
  let expected: ExpectedRevision = 'any';
  const running = { size: 0 };
  let refused = false;
  const events: ProposedEvent[] = [];
  let done = false;
  let timeout: NodeJS.Timeout | undefined;
  const reply: sendUnaryData<AppendResp> = (error, value) => {
    if (done) return;
    done = true;
    clearTimeout(timeout);
    release();
    callback(error, value);
  };
  const release = context.calls.open({ kind: 'append', fail: (error) => reply(error) });
  call.on('cancelled', () => {
    done = true;
    clearTimeout(timeout);
    release();
  });
  call.on('data', (request: AppendReq) => {
    if (refused) return;
    const options = request.getOptions();
    if (options !== undefined) {
      stream = streamNameOf(options.getStreamIdentifier());
      expected = appendExpected(options);
    }
    const message = request.getProposedMessage();
    if (message === undefined) return;
    const event = proposedEvent(message);
    const refusal = checkSize(context.appendSizeRule, context.maxAppendSize, running, [event]);
    if (refusal !== undefined) {
      refused = true;
      reply(refusal.error);
      return;
    }
    events.push(event);
  });
  call.on('end', () => {
    if (refused) return;
    void (async () => {
      if (context.faults.failAppends) return reply(unavailableError('appends are failing'));
      if (context.faults.notLeader) return reply(notLeaderError(context.host, context.port()));
      const outcome = await context.log.append(stream, expected, events);
      await context.faults.delay();
      switch (outcome.kind) {
        case 'success': {
          const success = new AppendResp.Success();
          success.setCurrentRevision(outcome.revision.toString());
          const position = new AppendResp.Position();
          position.setCommitPosition(outcome.position.toString());
          position.setPreparePosition(outcome.position.toString());
          success.setPosition(position);
          return reply(null, new AppendResp().setSuccess(success));
        }
        case 'wrong_expected_version': {
          const wrong = new AppendResp.WrongExpectedVersion();
          if (outcome.current === undefined) wrong.setCurrentNoStream(new Empty());
          else wrong.setCurrentRevision(outcome.current.toString());
          if (expected === 'any') wrong.setExpectedAny(new Empty());
          else if (expected === 'no_stream') wrong.setExpectedNoStream(new Empty());
          else if (expected === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
          else wrong.setExpectedRevision(expected.toString());
          return reply(null, new AppendResp().setWrongExpectedVersion(wrong));
        }
        case 'dropped':
          // RpcExceptions.Timeout after the request manager's write timeout.
          timeout = setTimeout(() => reply(writeTimeoutError()), WRITE_TIMEOUT_MS);
          return;
      }
    })();
  });
}
