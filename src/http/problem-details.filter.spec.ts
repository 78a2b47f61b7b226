import { Logger, NotFoundException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import {
  DeliveryTooLarge,
  EventStoreUnavailable,
  Forbidden,
  InvalidRequest,
  NotFound,
  PathSegmentTooLong,
  PositionNotReached,
  ProblemError,
  ReadModelsUnavailable,
  RebuildInProgress,
  rejectBadSignature,
  rejectContentType,
  rejectMalformed,
  rejectNotConfigured,
  rejectTooLarge,
  Unauthorized,
  UnknownProjection,
} from '../ledger/errors';
import { ProblemDetailsFilter, toProblem } from './problem-details.filter';

interface Sent {
  status?: number;
  body?: unknown;
}

function hostFor(sent: Sent): ArgumentsHost {
  const reply = {
    sent: false,
    request: { id: 'req-test-1' },
    header: () => reply,
    status: (status: number) => ((sent.status = status), reply),
    send: (body: unknown) => ((sent.body = body), reply),
  };
  return { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
}

describe('problem details filter', () => {
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('logs an expected 503 once as a warning, without a stack or what the request carried', () => {
    const filter = new ProblemDetailsFilter();
    const secretInPath = 'whsec_c2VjcmV0LWluLXRoZS1wYXRo';
    for (let i = 0; i < 50; i++) {
      filter.catch(
        rejectNotConfigured(`STANDARD_WEBHOOK_SOURCES (add ${secretInPath}=…)`),
        hostFor({}),
      );
      filter.catch(
        new EventStoreUnavailable(
          'the delivery was not recorded; retry later',
          new Error('SQLITE_FULL: database or disk is full'),
        ),
        hostFor({}),
      );
    }
    expect(error).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(2);
    const lines = warn.mock.calls.map((call) => String(call[0]));
    expect(lines.join('\n')).not.toContain(secretInPath);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
    expect(lines.some((line) => line.includes('SQLITE_FULL'))).toBe(true);
  });

  it('logs a client that left mid-body once, not as an error', () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const filter = new ProblemDetailsFilter();
    for (let i = 0; i < 20; i++) {
      const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      filter.catch(aborted, hostFor({}));
    }
    expect(error).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('logs our own faults as errors with their stack, and answers a bare 500', () => {
    const sent: Sent = {};
    new ProblemDetailsFilter().catch(new TypeError('boom'), hostFor(sent));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toContain('boom');
    expect(String(error.mock.calls[0]?.[0])).toContain('TypeError: boom\n');
  });

  it.each<[ProblemError, number, string, number | undefined]>([
    [new InvalidRequest('limit must be a whole number'), 400, 'Bad Request', undefined],
    [new UnknownProjection(['nope'], ['ledger']), 400, 'Bad Request', undefined],
    [new Unauthorized('unknown API key'), 401, 'Unauthorized', undefined],
    [new Forbidden('this needs an admin key'), 403, 'Forbidden', undefined],
    [new NotFound('no campaign growsurf/a/b'), 404, 'Not Found', undefined],
    [new PathSegmentTooLong(256), 414, 'URI Too Long', undefined],
    [new RebuildInProgress('read-models-2.sqlite'), 409, 'Conflict', undefined],
    [new ReadModelsUnavailable('disk I/O error'), 503, 'Service Unavailable', 1],
    [new PositionNotReached('1042', 50), 503, 'Service Unavailable', 1],
    [rejectMalformed('not JSON'), 400, 'Malformed delivery', undefined],
    [rejectBadSignature('no match'), 401, 'Invalid signature', undefined],
    [rejectTooLarge(1024), 413, 'Payload too large', undefined],
    [new DeliveryTooLarge(1024, new Error('too big')), 413, 'Payload too large', undefined],
    [rejectContentType('expected JSON'), 415, 'Unsupported content type', undefined],
    [rejectNotConfigured('X'), 503, 'Provider not configured', 60],
    [
      new EventStoreUnavailable('retry later', new Error('down')),
      503,
      'Event store unavailable',
      5,
    ],
  ])('answers %p with status %p, title %p and Retry-After %p', (error, status, title, retry) => {
    const { problem, retryAfterSeconds } = toProblem(error);
    expect(problem).toEqual({ type: 'about:blank', title, status, detail: error.detail });
    expect(retryAfterSeconds).toBe(retry);
  });

  it('adds extension members after the standard ones', () => {
    class Throttled extends ProblemError {
      constructor() {
        super(429, 'Too Many Requests', 'slow down', { members: { limit: 10 } });
      }
    }
    const { problem } = toProblem(new Throttled());
    expect(Object.keys(problem)).toEqual(['type', 'title', 'status', 'detail', 'limit']);
    expect(problem.limit).toBe(10);
  });

  it("answers the router's 404 without the path", () => {
    const { problem } = toProblem(new NotFoundException('Cannot GET /webhooks/refir/secret-token'));
    expect(problem.status).toBe(404);
    expect(JSON.stringify(problem)).not.toContain('secret-token');
  });

  it('keeps the words of our own 404s', () => {
    const { problem } = toProblem(new NotFound('no participant growsurf/a/b'));
    expect(problem.detail).toBe('no participant growsurf/a/b');
  });
});
