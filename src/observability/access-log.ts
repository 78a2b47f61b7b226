/**
 * One line per request, written when its answer is sent: the request id, the
 * route *pattern* (never the URL: Refir's token is a path segment), the status
 * and the time taken; for a webhook, its provider, what became of the
 * delivery and the event id. Fastify calls its LogController for each
 * request anyway, so the line and the request's metrics cost no hook of
 * their own.
 */
import {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Level, Logger } from 'pino';
import { REQUEST_ID_HEADER } from './request-id';
import type { DeliveryOutcome, ServiceMetrics } from './service-metrics';

declare module 'fastify' {
  interface FastifyRequest {
    /** A webhook's answer, as its controller returned it (noteDeliveryAnswer). */
    deliveryAnswer: { status: string; eventId: string } | null;
  }
}

/** Probes and scrapes come every few seconds: their lines only at debug. */
const QUIET_ROUTES = new Set(['/health', '/health/ready', '/metrics']);

export class AccessLog extends LogController {
  private readonly providers = new Map<string, string | null>();

  constructor(
    private readonly metrics: ServiceMetrics,
    /** The service's logger (requests get no child loggers: see createApp). */
    private readonly logger: Logger,
  ) {
    super();
  }

  override incomingRequest(): void {
    // One line per request, at its end.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const route = request.routeOptions.url;
    const status = reply.statusCode;
    const provider = route === undefined ? null : this.providerOf(route);
    let outcome: DeliveryOutcome | undefined;
    let eventId: string | undefined;
    if (provider !== null) {
      const answer = request.deliveryAnswer;
      outcome =
        status === 200 &&
        answer !== null &&
        (answer.status === 'duplicate' || answer.status === 'recorded')
          ? answer.status
          : 'refused';
      eventId = outcome === 'refused' ? undefined : answer?.eventId;
      this.metrics.delivery(provider, outcome, status);
    } else if (route !== undefined && request.method === 'GET') {
      this.metrics.query(route, reply.elapsedTime);
    }
    const level: Level =
      route !== undefined && QUIET_ROUTES.has(route) ? 'debug' : status >= 500 ? 'warn' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {
      reqId: request.id,
      method: request.method,
      route: route ?? null,
      status,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (provider !== null) {
      fields.provider = provider;
      fields.outcome = outcome;
      if (eventId !== undefined) fields.eventId = eventId;
    }
    // A socket error after the answer: its code only, never its message (it may quote input).
    if (error) fields.error = (error as { code?: unknown }).code ?? error.name;
    this.logger[level](fields, 'request');
  }

  override routeNotFound(): void {
    // Nest answers unrouted requests (problem+json, no path); the access line says 404.
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    // Only reached if Nest's handler is not installed yet; the URL and the message stay out.
    this.logger[reply.statusCode >= 500 ? 'error' : 'info'](
      {
        reqId: request.id,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        error: error.name,
      },
      'answered by Fastify',
    );
  }

  override writeHeadError(error: Error, request: FastifyRequest): void {
    this.logger.warn({ reqId: request.id, error: error.name }, 'could not write the answer head');
  }

  /** `/webhooks/<provider>[/:param]` -> provider; anything else -> null. */
  private providerOf(route: string): string | null {
    let provider = this.providers.get(route);
    if (provider === undefined) {
      provider = /^\/webhooks\/([a-z]+)(?:\/|$)/.exec(route)?.[1] ?? null;
      this.providers.set(route, provider);
    }
    return provider;
  }
}

/** Sets x-request-id on every answer; makes room for each webhook answer (see noteDeliveryAnswer). */
export function registerRequestHooks(fastify: FastifyInstance): void {
  fastify.decorateRequest('deliveryAnswer', null);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}

/**
 * The webhook controller hands its answer here for the access line, instead
 * of a preSerialization hook looking at every answer of every route.
 */
export function noteDeliveryAnswer(
  request: FastifyRequest,
  answer: { readonly status: string; readonly eventId: string },
): void {
  request.deliveryAnswer = { status: answer.status, eventId: answer.eventId };
}
