import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger } from 'fastify';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { setUpApiDocs } from './http/api-docs';
import { HTTP_LIMITS, httpServerOptions, type HttpLimits } from './http/http-server';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { systemClock, type Clock } from './ledger/clock';
import { AccessLog, registerRequestHooks } from './observability/access-log';
import { createLogger } from './observability/logger';
import { NestPinoLogger } from './observability/nest-logger';
import { requestIdOf } from './observability/request-id';
import { ServiceMetrics } from './observability/service-metrics';

export interface CreateAppOptions {
  readonly clock?: Clock;
  /** Tests shorten the timeouts to see them fire. */
  readonly httpLimits?: HttpLimits;
  /** Where log lines go; process.stdout by default. */
  readonly logDestination?: DestinationStream;
}

/** Builds the application without listening: main.ts and the e2e tests share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const limits = options.httpLimits ?? HTTP_LIMITS;
  // One pino logger for Fastify and Nest alike; one metrics registry for this app.
  const logger = createLogger(config, options.logDestination);
  const metrics = new ServiceMetrics();
  const adapter = new FastifyAdapter({
    ...httpServerOptions(limits),
    bodyLimit: config.webhooks.bodyLimitBytes,
    loggerInstance: logger,
    logController: new AccessLog(metrics, logger),
    genReqId: requestIdOf,
    // No child logger per request (pino's child() costs on every delivery): the
    // access line names its request id itself, and nothing else logs per request.
    childLoggerFactory: (root: FastifyBaseLogger) => root,
  });
  const fastify = adapter.getInstance();
  fastify.server.maxConnections = limits.maxConnections;
  registerRequestHooks(fastify);
  // Every body reaches the handlers as raw bytes: signatures are checked on
  // exactly what was sent, and each route parses what it needs, once.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options.clock ?? systemClock, metrics),
    adapter,
    { bodyParser: false, logger: new NestPinoLogger(logger) },
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  setUpApiDocs(app);
  return app;
}
