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
  maxAppendSizeError,
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
  readonly maxAppendSize: number;
  readonly host: string;
  readonly port: () => number;
}

/**
 * Event.SizeOnDisk as v24.10.0 computes it: `data?.Length ?? 0 + metadata?.Length
 * ?? 0 + eventType.Length * 2` binds as `data.Length ?? (...)`, so only the data
 * counts towards MaxAppendSize (src/EventStore.Core/Data/Event.cs). v25.1.0
 * added the parentheses; the default limit there is far larger anyway.
 */
function sizeOnDisk(event: ProposedEvent): number {
  return event.data.length;
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
  size: number;
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
  let over = false;
  const finish = () => {
    if (over) return;
    over = true;
    release();
    for (const write of pending.values()) clearTimeout(write.timer);
    pending.clear();
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
      // The server throws RpcExceptions.LeaderInfo from the reply callback,
      // which completes the whole call with that error.
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
        // No storage reply: the request manager times out (OperationResult.PrepareTimeout).
        setTimeout(() => void answer(write, { error: timeoutStatus() }), WRITE_TIMEOUT_MS);
        return;
    }
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
        size: 0,
        timer,
      });
    }
    const write = pending.get(id);
    if (write === undefined) return;
    for (const message of request.getProposedMessagesList()) {
      const event = proposedEvent(message);
      write.events.push(event);
      write.size += sizeOnDisk(event);
    }
    if (write.size > context.maxAppendSize) {
      pending.delete(id);
      clearTimeout(write.timer);
      void answer(write, { error: maximumAppendSizeStatus(context.maxAppendSize) });
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
  let size = 0;
  let refused = false;
  const events: ProposedEvent[] = [];
  let done = false;
  const reply: sendUnaryData<AppendResp> = (error, value) => {
    if (done) return;
    done = true;
    release();
    callback(error, value);
  };
  const release = context.calls.open({ kind: 'append', fail: (error) => reply(error) });
  call.on('cancelled', () => {
    done = true;
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
    size += sizeOnDisk(event);
    if (size > context.maxAppendSize) {
      refused = true;
      reply(maxAppendSizeError(context.maxAppendSize));
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
          setTimeout(() => reply(writeTimeoutError()), WRITE_TIMEOUT_MS);
          return;
      }
    })();
  });
}
