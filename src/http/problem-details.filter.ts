/**
 * One place maps every error to an RFC 9457 problem+json answer. Unknown
 * errors become a bare 500: their messages may carry internals, never sent out.
 */
import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { WebhookRejection } from '../webhooks/webhook-rejection';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { problem, retryAfterSeconds } = toProblem(error);
    if (problem.status >= 500) this.logger.error(describeForLog(error));
    sendProblem(reply, problem, retryAfterSeconds);
  }
}

export function sendProblem(
  reply: FastifyReply,
  problem: ProblemDetails,
  retryAfterSeconds?: number,
): void {
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(problem);
}

export function toProblem(error: unknown): { problem: ProblemDetails; retryAfterSeconds?: number } {
  if (error instanceof WebhookRejection) {
    return {
      problem: {
        type: 'about:blank',
        title: error.title,
        status: error.status,
        detail: error.detail,
      },
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const detail = isRouterNotFound(error) ? NO_ROUTE : detailOf(error);
    return {
      problem: { type: 'about:blank', title: titleOf(status), status, detail },
      retryAfterSeconds: status === 503 ? 1 : undefined,
    };
  }
  const fastifyStatus = fastifyErrorStatus(error);
  if (fastifyStatus !== undefined) {
    const detail = error instanceof Error ? error.message : undefined;
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

function describeForLog(error: unknown): string {
  if (error instanceof WebhookRejection) {
    const cause = (error as { cause?: unknown }).cause;
    return `${error.message}${cause instanceof Error ? ` (${cause.name}: ${cause.message})` : ''}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
