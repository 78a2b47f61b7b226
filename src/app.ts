import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { setUpApiDocs } from './http/api-docs';
import { HTTP_LIMITS, httpServerOptions, type HttpLimits } from './http/http-server';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { systemClock, type Clock } from './ledger/clock';

const LOG_LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

export interface CreateAppOptions {
  readonly clock?: Clock;
  /** Tests shorten the timeouts to see them fire. */
  readonly httpLimits?: HttpLimits;
}

/** Builds the application without listening: main.ts and the e2e tests share it. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const limits = options.httpLimits ?? HTTP_LIMITS;
  const adapter = new FastifyAdapter({
    ...httpServerOptions(limits),
    bodyLimit: config.webhooks.bodyLimitBytes,
  });
  const fastify = adapter.getInstance();
  fastify.server.maxConnections = limits.maxConnections;
  // Every body reaches the handlers as raw bytes: signatures are checked on
  // exactly what was sent, and each route parses what it needs, once.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, options.clock ?? systemClock),
    adapter,
    { bodyParser: false, logger: LOG_LEVELS[config.logLevel] },
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  setUpApiDocs(app);
  return app;
}
