/**
 * What the HTTP server itself answers before a route runs: malformed requests
 * Node refuses, URLs the router cannot take, and the limits that keep a slow
 * or hostile client from holding connections. Every such answer is
 * problem+json and repeats nothing of the request (a path may hold a secret).
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyHttpOptions, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequest, PathSegmentTooLong } from '../ledger/errors';
import { sendProblem, toProblem } from './problem-details.filter';

/** Route parameters up to this length are routed (Refir's token is one; config refuses longer). */
export const MAX_PARAM_LENGTH = 256;

/**
 * Limits no provider's delivery comes near: a 1 MiB body on a slow link takes
 * seconds, and every provider gives up on us well before 30 s.
 */
export interface HttpLimits {
  readonly requestTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly checkIntervalMs: number;
  readonly maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = {
  /** Whole request, headers and body. */
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  /** Idle keep-alive connections. */
  keepAliveTimeoutMs: 10_000,
  /** How often Node looks for requests past their timeout (30 s by default, so timeouts fire late). */
  checkIntervalMs: 1_000,
  maxConnections: 1_024,
};

const logger = new Logger('Http');
const lastLogged = new Map<string, number>();

/** One line a minute per kind at most: client errors are the clients' business, not ours. */
function logClientProblem(kind: string): void {
  const now = Date.now();
  if (now - (lastLogged.get(kind) ?? 0) < 60_000) return;
  lastLogged.set(kind, now);
  logger.log(`refused a malformed request: ${kind}`);
}

export function httpServerOptions(limits: HttpLimits = HTTP_LIMITS): FastifyHttpOptions<Server> {
  return {
    return503OnClosing: true,
    // A socket silent this long is dropped; longer than a request may take, so
    // that a request past its timeout is answered 408 before its socket goes.
    connectionTimeout: 2 * limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Given where Node creates the server: the same value given to Fastify
    // afterwards does not cut off a slow body on Node 20.
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  };
}

/**
 * The router's refusals (a parameter too long to route, a URL that does not
 * decode) in our words: Fastify's quote the URL, which may hold a secret.
 */
function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const refusal =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new PathSegmentTooLong(MAX_PARAM_LENGTH)
      : new InvalidRequest('the URL is not valid');
  logClientProblem(error.code);
  sendProblem(reply, toProblem(refusal).problem);
}

/**
 * Node's own refusals (bad or duplicated Content-Length, a bad chunk, an
 * unknown method, header overflow, a request past its timeout) arrive on the
 * socket before any request object exists: the answer is written by hand.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? 408
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : 400;
  const detail =
    status === 408
      ? 'the request took too long to arrive'
      : status === 431
        ? 'the request headers are too large'
        : 'the request is not valid HTTP/1.1';
  logClientProblem(error.code ?? 'client error');
  const title = STATUS_CODES[status] ?? 'Bad Request';
  // No request was parsed, so none carried an id: this answer gets one of its own.
  const requestId = randomUUID();
  const body = JSON.stringify({ type: 'about:blank', title, status, detail, requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
