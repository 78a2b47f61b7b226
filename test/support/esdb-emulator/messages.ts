/**
 * Protobuf messages and gRPC errors the emulator answers with, built on the
 * client's own generated code (@eventstore/db-client/generated), shaped as
 * the server's gRPC layer shapes them (kurrent-io/KurrentDB v24.10.0,
 * src/EventStore.Core/Services/Transport/Grpc/).
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { BinaryWriter, type Message } from 'google-protobuf';
import {
  Empty,
  MaximumAppendSizeExceeded,
  StreamIdentifier,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { ExpectedRevision, StoredEvent } from './log';

/** Position.FromInt64 maps -1 (no position yet) to ulong.MaxValue (Transport/Common/Position.cs). */
const ULONG_MAX = 18_446_744_073_709_551_615n;

export function streamIdentifier(stream: string): StreamIdentifier {
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(stream, 'utf8'));
  return identifier;
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

function uuid(id: string): UUID {
  const message = new UUID();
  message.setString(id);
  return message;
}

/** Streams.Read.cs ConvertToReadEvent: positions on the record and on the read event. */
export function eventResponse(event: StoredEvent): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuid(event.id));
  recorded.setStreamIdentifier(streamIdentifier(event.stream));
  recorded.setStreamRevision(event.revision.toString());
  recorded.setPreparePosition(event.position.toString());
  recorded.setCommitPosition(event.position.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set('type', event.type);
  metadata.set('content-type', event.contentType);
  metadata.set('created', event.created.toString());
  recorded.setCustomMetadata(event.metadata);
  recorded.setData(event.data);
  const read = new ReadResp.ReadEvent();
  read.setEvent(recorded);
  read.setCommitPosition(event.position.toString());
  const response = new ReadResp();
  response.setEvent(read);
  return response;
}

export function confirmationResponse(subscriptionId: string): ReadResp {
  const confirmation = new ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(subscriptionId);
  return new ReadResp().setConfirmation(confirmation);
}

export function caughtUpResponse(): ReadResp {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

/** `undefined`: no event sent yet, which the server reports as ulong.MaxValue. */
export function checkpointResponse(position: bigint | undefined): ReadResp {
  const value = (position ?? ULONG_MAX).toString();
  const checkpoint = new ReadResp.Checkpoint();
  checkpoint.setCommitPosition(value);
  checkpoint.setPreparePosition(value);
  return new ReadResp().setCheckpoint(checkpoint);
}

export function streamNotFoundResponse(stream: string): ReadResp {
  const notFound = new ReadResp.StreamNotFound();
  notFound.setStreamIdentifier(streamIdentifier(stream));
  return new ReadResp().setStreamNotFound(notFound);
}

/** google.rpc.Status with packed details, as Status.cs builds them for BatchAppend. */
function rpcStatus(code: status, message: string, details: Message, typeName: string): Status {
  const any = new Any();
  any.pack(details.serializeBinary(), typeName);
  const result = new Status();
  result.setCode(code as number);
  result.setMessage(message);
  result.setDetails(any);
  return result;
}

/** Status.WrongExpectedVersion: code AlreadyExists, details WrongExpectedVersion.Create. */
export function wrongExpectedVersionStatus(
  current: bigint | undefined,
  expected: ExpectedRevision,
): Status {
  const details = new WrongExpectedVersion();
  if (current === undefined) details.setCurrentNoStream(new Empty());
  else details.setCurrentStreamRevision(current.toString());
  if (expected === 'any') details.setExpectedAny(new Empty());
  else if (expected === 'no_stream') details.setExpectedNoStream(new Empty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new Empty());
  else details.setExpectedStreamPosition(expected.toString());
  return rpcStatus(
    status.ALREADY_EXISTS,
    'WrongExpectedVersion',
    details,
    'event_store.client.WrongExpectedVersion',
  );
}

/** Status.MaximumAppendSizeExceeded: code InvalidArgument. */
export function maximumAppendSizeStatus(maxAppendSize: number): Status {
  const details = new MaximumAppendSizeExceeded();
  details.setMaxappendsize(maxAppendSize);
  return rpcStatus(
    status.INVALID_ARGUMENT,
    'MaximumAppendSizeExceeded',
    details,
    'event_store.client.MaximumAppendSizeExceeded',
  );
}

/**
 * Status.MaximumAppendEventSizeExceeded (v25.1.0). Client 6.2.1's generated code
 * has no such message, so its fields (shared.proto v25.1.0: eventId = 1,
 * proposedEventSize = 2, maxAppendEventSize = 3) are written by hand.
 */
export function maximumAppendEventSizeStatus(
  eventId: string,
  proposedEventSize: number,
  maxAppendEventSize: number,
): Status {
  const writer = new BinaryWriter();
  writer.writeString(1, eventId);
  writer.writeUint32(2, proposedEventSize);
  writer.writeUint32(3, maxAppendEventSize);
  const any = new Any();
  any.pack(writer.getResultBuffer(), 'event_store.client.MaximumAppendEventSizeExceeded');
  const result = new Status();
  result.setCode(status.INVALID_ARGUMENT as number);
  result.setMessage('MaximumAppendEventSizeExceeded');
  result.setDetails(any);
  return result;
}

/** Status.Timeout: code DeadlineExceeded (a write that timed out in the request manager). */
export function timeoutStatus(): Status {
  return rpcStatus(
    status.DEADLINE_EXCEEDED,
    'Timeout',
    new Timeout(),
    'event_store.client.Timeout',
  );
}

export function serviceError(
  code: status,
  details: string,
  metadata: Record<string, string> = {},
): ServiceError {
  const trailers = new Metadata();
  for (const [key, value] of Object.entries(metadata)) trailers.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata: trailers });
}

/** RpcExceptions.LeaderInfo: NotFound with the leader's endpoint in the trailers. */
export function notLeaderError(host: string, port: number): ServiceError {
  return serviceError(status.NOT_FOUND, 'Leader info available', {
    exception: 'not-leader',
    'leader-endpoint-host': host,
    'leader-endpoint-port': String(port),
  });
}

/** RpcExceptions.MaxAppendSizeExceeded, the unary Append's form of the refusal. */
export function maxAppendSizeError(maxAppendSize: number): ServiceError {
  return serviceError(
    status.INVALID_ARGUMENT,
    `Maximum Append Size of ${maxAppendSize} Exceeded.`,
    {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(maxAppendSize),
    },
  );
}

/** RpcExceptions.MaxAppendEventSizeExceeded (v25.1.0), the unary Append's form. */
export function maxAppendEventSizeError(
  eventId: string,
  proposedEventSize: number,
  maxAppendEventSize: number,
): ServiceError {
  return serviceError(
    status.INVALID_ARGUMENT,
    `Event with Id: ${eventId}, Size: ${proposedEventSize}, exceeds Maximum Append Event Size of ${maxAppendEventSize}.`,
    {
      exception: 'maximum-append-event-size-exceeded',
      'maximum-append-event-size': String(maxAppendEventSize),
      'event-id': eventId,
      'proposed-append-event-size': String(proposedEventSize),
    },
  );
}

/** RpcExceptions.Timeout: Aborted, the unary Append's form of a write timeout. */
export function writeTimeoutError(): ServiceError {
  return serviceError(status.ABORTED, 'Operation timed out: Prepare phase timeout.');
}

export function unavailableError(reason: string): ServiceError {
  return serviceError(status.UNAVAILABLE, `emulator: ${reason}`);
}
