import { Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import { StoreFailure } from '../webhooks/ingest-webhook';
import { rejectNotConfigured } from '../ledger/webhook-rejection';
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
        new StoreFailure(new Error('SQLITE_FULL: database or disk is full')),
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

  it('keeps a 503 with its own words for the client', () => {
    const { problem } = toProblem(new ServiceUnavailableException('not caught up yet'));
    expect(problem).toMatchObject({ status: 503, detail: 'not caught up yet' });
  });

  it("answers the router's 404 without the path", () => {
    const { problem } = toProblem(new NotFoundException('Cannot GET /webhooks/refir/secret-token'));
    expect(problem.status).toBe(404);
    expect(JSON.stringify(problem)).not.toContain('secret-token');
  });

  it('keeps the words of our own 404s', () => {
    const { problem } = toProblem(new NotFoundException('no participant growsurf/a/b'));
    expect(problem.detail).toBe('no participant growsurf/a/b');
  });
});
