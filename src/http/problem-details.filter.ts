/**
 * The one place that maps errors to RFC 9457 problem+json answers: our own
 * (src/ledger/errors.ts), and the ones Nest's router and Fastify raise before
 * a handler runs (no route, a body too large). Unknown errors become a bare
 * 500: their messages may carry internals, never sent out.
 */
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ProblemError } from '../ledger/errors';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** RFC 9457 extension members. */
  [member: string]: unknown;
}

/** Every answer names its request: the id in the x-request-id header and in the access log line. */
export interface ProblemAnswer extends ProblemDetails {
  readonly requestId: string;
}

/** An expected 5xx (store down, provider not configured, not caught up yet) is logged once a minute per kind. */
const EXPECTED_LOG_INTERVAL_MS = 60_000;

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly expected = new Map<string, { loggedAt: number; suppressed: number }>();

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (isClientAbort(error)) {
      // The client left mid-body: nobody to answer and nothing of ours failed.
      this.logRepeated('log', 'a client left before sending its whole body', '');
      if (!reply.sent) void reply.status(400).send();
      return;
    }
    const { problem, retryAfterSeconds } = toProblem(error);
    if (problem.status >= 500) this.log(error, problem);
    sendProblem(reply, problem, retryAfterSeconds);
  }

  /**
   * Our own faults are errors with their stack. The documented 503s are not
   * faults: a warning without a stack, rate-limited, and without anything the
   * request carried (a path may hold a sender's secret).
   */
  private log(error: unknown, problem: ProblemDetails): void {
    const expected = error instanceof ProblemError || problem.status === 503;
    if (!expected) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return;
    }
    this.logRepeated('warn', `answered ${problem.status} ${problem.title}`, causeOf(error));
  }

  /** One line per kind a minute at most, saying how many were left out. */
  private logRepeated(level: 'log' | 'warn', kind: string, detail: string): void {
    const now = Date.now();
    const seen = this.expected.get(kind);
    if (seen !== undefined && now - seen.loggedAt < EXPECTED_LOG_INTERVAL_MS) {
      seen.suppressed += 1;
      return;
    }
    const repeats =
      seen !== undefined && seen.suppressed > 0
        ? ` (${seen.suppressed} more since the last line)`
        : '';
    this.expected.set(kind, { loggedAt: now, suppressed: 0 });
    this.logger[level](`${kind}${detail}${repeats}`);
  }
}

export function sendProblem(
  reply: FastifyReply,
  problem: ProblemDetails,
  retryAfterSeconds?: number,
): void {
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  const answer: ProblemAnswer = { ...problem, requestId: reply.request.id };
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .header('x-request-id', reply.request.id)
    .send(answer);
}

export function toProblem(error: unknown): { problem: ProblemDetails; retryAfterSeconds?: number } {
  if (error instanceof ProblemError) {
    return {
      problem: {
        type: 'about:blank',
        title: error.title,
        status: error.status,
        detail: error.detail,
        ...error.members,
      },
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  // Ours are all ProblemErrors: an HttpException is Nest's own (its router's 404).
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const detail = isRouterNotFound(error) ? NO_ROUTE : detailOf(error);
    return { problem: { type: 'about:blank', title: titleOf(status), status, detail } };
  }
  const fastifyStatus = fastifyErrorStatus(error);
  if (fastifyStatus !== undefined) {
    // FST_ERR_BAD_URL's message quotes the URL, which may hold a secret.
    const code = (error as { code?: unknown }).code;
    const detail =
      code === 'FST_ERR_BAD_URL'
        ? 'the URL is not valid'
        : error instanceof Error
          ? error.message
          : undefined;
    return {
      problem: {
        type: 'about:blank',
        title: titleOf(fastifyStatus),
        status: fastifyStatus,
        detail,
      },
    };
  }
  return { problem: { type: 'about:blank', title: 'Internal Server Error', status: 500 } };
}

/** Fastify's own 4xx errors (body too large, bad content length, unsupported media type). */
function fastifyErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500
    ? statusCode
    : undefined;
}

/**
 * The router's own 404 says "Cannot GET /the/path": the path may hold a secret
 * (Refir's token is one), so it is never repeated.
 */
const NO_ROUTE = 'no route answers this method and path';

function isRouterNotFound(error: HttpException): boolean {
  return error.getStatus() === 404 && /^Cannot [A-Z]+ \//.test(error.message);
}

function detailOf(error: HttpException): string | undefined {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : undefined;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};

function titleOf(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request');
}

/** Node's "aborted": the request's socket closed before its body was complete. */
function isClientAbort(error: unknown): boolean {
  // Duck-typed: Node's own errors need not share this realm's Error (under jest they do not).
  if (typeof error !== 'object' || error === null) return false;
  const { message, code } = error as { message?: unknown; code?: unknown };
  return message === 'aborted' && code === 'ECONNRESET';
}

/** The store's own words on why an append failed; never the request's. */
function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  return cause instanceof Error ? `: ${cause.name}: ${cause.message}` : '';
}
