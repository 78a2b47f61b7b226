import {
  AccessDeniedError,
  DeadlineExceededError,
  END,
  EVENT_TYPE,
  MaxAppendSizeExceededError,
  UnknownError,
  START,
  STREAM_NAME,
  UnavailableError,
  WrongExpectedVersionError,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  ConcurrencyError,
  EventTooLargeError,
  StoreUnavailableError,
  StoreUsageError,
} from '../event-store.errors';
import type { RecordedEvent } from '../event-store.port';
import { mayLeaveClientStuck, toEventTooLarge, translateError } from './eventstoredb-errors';
import {
  EVENT_ID_METADATA_KEY,
  isPastCursor,
  matchesFilter,
  toEsdbPosition,
  toReadPosition,
  toRecordedEvent,
  toServerFilter,
  toWireEvent,
  validateAppend,
  validateMaxCount,
} from './eventstoredb-mapping';

/** What @grpc/grpc-js rejects with: an Error carrying a numeric status code and details. */
const grpcError = (code: number, details: string): Error =>
  Object.assign(new Error(`${code} ${details}`), { code, details });

const resolved = (
  overrides: Partial<{ type: string; streamId: string; isJson: boolean; commit: bigint }> = {},
): ResolvedEvent => {
  const commit = overrides.commit ?? 1234n;
  return {
    event: {
      id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60',
      type: overrides.type ?? 'referral.recorded',
      streamId: overrides.streamId ?? 'referral-42',
      revision: 3n,
      isJson: (overrides.isJson ?? true) as true,
      data: { amount: '5.00' },
      metadata: { source: 'growsurf' },
      created: new Date('2026-01-02T03:04:05Z'),
      position: { commit, prepare: commit },
    },
  };
};

const recorded = (type: string, streamId: string): RecordedEvent => ({
  id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60',
  type,
  streamId,
  revision: 0n,
  position: 1n,
  data: {},
  metadata: {},
  created: new Date(0),
});

describe('EventStoreDB error translation', () => {
  it('turns a wrong expected version into a ConcurrencyError carrying our expectation and the actual revision', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'referral-42',
      expected: 1n,
      current: 4n,
    });
    const translated = translateError(error, 'referral-42', 'no_stream');
    expect(translated).toBeInstanceOf(ConcurrencyError);
    expect(translated).toMatchObject({
      streamId: 'referral-42',
      expected: 'no_stream',
      actual: 4n,
    });
  });

  it.each([['no_stream' as const], [-1n]])(
    'reports a stream that does not exist (server says %p) with actual undefined',
    (current) => {
      const error = new WrongExpectedVersionError(undefined, {
        streamName: 'referral-42',
        expected: 'stream_exists',
        current,
      });
      expect(translateError(error, 'referral-42', 'stream_exists')).toMatchObject({
        name: 'ConcurrencyError',
        actual: undefined,
      });
    },
  );

  it('falls back to the error’s own stream and expectation when the caller gives none', () => {
    const error = new WrongExpectedVersionError(undefined, {
      streamName: 'referral-7',
      expected: 2n,
      current: 5n,
    });
    expect(translateError(error)).toMatchObject({
      streamId: 'referral-7',
      expected: 2n,
      actual: 5n,
    });
  });

  it.each([
    ['UnavailableError', new UnavailableError()],
    ['DeadlineExceededError', new DeadlineExceededError()],
    ['a bare gRPC UNAVAILABLE (batch append without a connection)', grpcError(14, 'UNAVAILABLE')],
    ['a bare gRPC DEADLINE_EXCEEDED', grpcError(4, 'Deadline exceeded')],
  ])('makes %s a StoreUnavailableError that keeps the cause', (_, error) => {
    const translated = translateError(error);
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as StoreUnavailableError).cause).toBe(error);
  });

  it('passes other errors through unchanged', () => {
    const denied = new AccessDeniedError();
    const plain = new Error('boom');
    const oddCode = Object.assign(new Error('odd'), { code: 5 });
    expect(translateError(denied)).toBe(denied);
    expect(translateError(plain)).toBe(plain);
    expect(translateError(oddCode)).toBe(oddCode);
    expect(translateError('not an error')).toBe('not an error');
  });
});

describe('EventStoreDB positions', () => {
  it('rebuilds a client position from our commit position', () => {
    expect(toEsdbPosition(42n)).toEqual({ commit: 42n, prepare: 42n });
  });

  it('starts an unbounded read at the start forwards and at the end backwards', () => {
    expect(toReadPosition(undefined, 'forwards')).toBe(START);
    expect(toReadPosition(undefined, 'backwards')).toBe(END);
    expect(toReadPosition(7n, 'backwards')).toEqual({ commit: 7n, prepare: 7n });
  });

  it('treats "after" as exclusive in both directions', () => {
    expect(isPastCursor(10n, 10n, 'forwards')).toBe(false);
    expect(isPastCursor(11n, 10n, 'forwards')).toBe(true);
    expect(isPastCursor(9n, 10n, 'forwards')).toBe(false);
    expect(isPastCursor(10n, 10n, 'backwards')).toBe(false);
    expect(isPastCursor(9n, 10n, 'backwards')).toBe(true);
    expect(isPastCursor(0n, undefined, 'forwards')).toBe(true);
  });
});

describe('EventStoreDB event translation', () => {
  it('keeps id, type, stream, revision, commit position, data, metadata and creation time', () => {
    expect(toRecordedEvent(resolved({ commit: 99n }))).toEqual({
      id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60',
      type: 'referral.recorded',
      streamId: 'referral-42',
      revision: 3n,
      position: 99n,
      data: { amount: '5.00' },
      metadata: { source: 'growsurf' },
      created: new Date('2026-01-02T03:04:05Z'),
    });
  });

  it.each([
    ['a system event type', resolved({ type: '$statsCollected' })],
    ['an event in a system stream', resolved({ streamId: '$stats-127.0.0.1:2113' })],
    ['a binary event', resolved({ isJson: false })],
    ['a resolved link without its event', {}],
  ])('leaves out %s', (_, event: ResolvedEvent) => {
    expect(toRecordedEvent(event)).toBeUndefined();
  });
});

describe('EventStoreDB filters', () => {
  it('asks the server for stream prefixes when both kinds are given', () => {
    expect(
      toServerFilter({ streamPrefixes: ['referral-'], eventTypePrefixes: ['reward.'] }),
    ).toMatchObject({ filterOn: STREAM_NAME, prefixes: ['referral-'] });
  });

  it('asks the server for event-type prefixes when only those are given', () => {
    expect(toServerFilter({ eventTypePrefixes: ['reward.'] })).toMatchObject({
      filterOn: EVENT_TYPE,
      prefixes: ['reward.'],
    });
  });

  it('asks the server to leave out system events when there is no filter or an empty one', () => {
    for (const filter of [undefined, {}, { streamPrefixes: [], eventTypePrefixes: [] }]) {
      expect(toServerFilter(filter)).toMatchObject({ filterOn: EVENT_TYPE, regex: '^[^$].*' });
    }
  });

  it('keeps only events matching every given kind of prefix, any prefix of each', () => {
    const filter = { streamPrefixes: ['referral-', 'campaign-'], eventTypePrefixes: ['reward.'] };
    expect(matchesFilter(recorded('reward.approved', 'campaign-1'), filter)).toBe(true);
    expect(matchesFilter(recorded('reward.approved', 'payout-1'), filter)).toBe(false);
    expect(matchesFilter(recorded('referral.recorded', 'referral-1'), filter)).toBe(false);
    expect(matchesFilter(recorded('anything', 'anywhere'), undefined)).toBe(true);
  });
});

describe('EventStoreDB usage checks', () => {
  it('refuses event ids that are not UUIDs, empty types and empty stream ids', () => {
    const event = { id: 'not-a-uuid', type: 't', data: {} };
    expect(() => validateAppend('s', [event])).toThrow(StoreUsageError);
    expect(() =>
      validateAppend('s', [{ ...event, id: '3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60', type: '' }]),
    ).toThrow(StoreUsageError);
    expect(() => validateAppend('', [])).toThrow(StoreUsageError);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a page size of %p', (maxCount) => {
    expect(() => validateMaxCount(maxCount)).toThrow(StoreUsageError);
  });
});

describe('EventStoreDB event ids', () => {
  const id = '0b6c4f3e-2f4a-5d1e-8c7b-9a0f1e2d3c4b';

  it('sends a fresh server id on every attempt and keeps ours in the metadata', () => {
    const first = toWireEvent({ id, type: 't', data: {}, metadata: { schema: 1 } });
    const second = toWireEvent({ id, type: 't', data: {}, metadata: { schema: 1 } });
    expect(first.id).not.toBe(id);
    expect(second.id).not.toBe(first.id);
    expect(first.metadata).toEqual({ schema: 1, [EVENT_ID_METADATA_KEY]: id });
  });

  it('gives our id back on read and strips the reserved key from the metadata', () => {
    const event = resolved();
    const stored = {
      ...event.event!,
      metadata: { source: 'growsurf', [EVENT_ID_METADATA_KEY]: id },
    };
    expect(toRecordedEvent({ event: stored })).toMatchObject({
      id,
      metadata: { source: 'growsurf' },
    });
  });

  it("keeps the server's id for events written without ours (another application's)", () => {
    expect(toRecordedEvent(resolved())?.id).toBe('3f0c5b9e-6a55-4c8e-9d8a-1b2c3d4e5f60');
  });
});

describe('EventStoreDB refusals of large appends', () => {
  it("maps the server's MaximumAppendSizeExceeded (up to 25.0) to EventTooLargeError with its limit", () => {
    const error = toEventTooLarge(MaxAppendSizeExceededError.fromMaxAppendSize(1024), 's', 4096);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect(error).toMatchObject({ streamId: 's', maxAppendSize: 1024, size: undefined });
  });

  it('maps the MaximumAppendEventSizeExceeded of 25.1, which client 6.2.1 reports as unknown', () => {
    const unknown = new UnknownError(
      undefined,
      'Could not recognize MaximumAppendEventSizeExceeded',
    );
    expect(toEventTooLarge(unknown, 's', 4096)).toMatchObject({ maxAppendSize: 4096 });
    const stated = new UnknownError(
      undefined,
      'Event with Id: x, Size: 20000000, exceeds Maximum Append Event Size of 16777216.',
    );
    expect(toEventTooLarge(stated, 's', 4096)).toMatchObject({ maxAppendSize: 16777216 });
    expect(toEventTooLarge(new UnknownError(), 's', 4096)).toBeUndefined();
  });
});

describe('EventStoreDB failures that leave a client stuck', () => {
  it('counts a failed discovery and a deadline, not answers or failures the client recovers from', () => {
    expect(mayLeaveClientStuck(new Error('Failed to discover after 10 attempts.'))).toBe(true);
    expect(mayLeaveClientStuck(grpcError(4, 'Deadline exceeded'))).toBe(true);
    expect(mayLeaveClientStuck(grpcError(14, 'No connection established'))).toBe(false);
    expect(mayLeaveClientStuck(new AccessDeniedError())).toBe(false);
  });

  it('names the error when a timeout arrives without a message', () => {
    const translated = translateError(new DeadlineExceededError());
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect((translated as Error).message).toBe('EventStoreDB: DeadlineExceededError (no message)');
  });

  it('reads a failed discovery as the store being unavailable', () => {
    expect(translateError(new Error('Failed to discover after 3 attempts.'))).toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
