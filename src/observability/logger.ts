/**
 * The service's one logger: pino, shared by Fastify (its request logger) and
 * Nest (through NestPinoLogger), so every line is one JSON object. A terminal
 * gets readable lines instead, unless LOG_FORMAT says otherwise.
 */
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { AppConfig } from '../config/app-config';

/** LOG_LEVEL keeps the names it had under Nest's logger; `log` is pino's `info`. */
const PINO_LEVELS: Readonly<Record<AppConfig['logLevel'], Level>> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
};

export type LogSettings = Pick<AppConfig, 'logLevel' | 'logFormat'>;

export function wantsPrettyLogs(settings: LogSettings, stdout: { isTTY?: boolean }): boolean {
  return (
    settings.logFormat === 'pretty' || (settings.logFormat === 'auto' && stdout.isTTY === true)
  );
}

/**
 * Lines go to process.stdout (not straight to fd 1), so that what a test
 * captures there is exactly what an operator's collector reads.
 */
export function createLogger(settings: LogSettings, destination?: DestinationStream): Logger {
  const stream =
    destination ??
    (wantsPrettyLogs(settings, process.stdout)
      ? pretty({
          sync: true,
          destination: process.stdout,
          translateTime: 'SYS:HH:MM:ss.l',
          singleLine: true,
          ignore: 'pid,hostname',
        })
      : process.stdout);
  return pino(
    {
      level: PINO_LEVELS[settings.logLevel],
      // Labels, not pino's numbers: `"level":"warn"` reads the same in a collector and by eye.
      formatters: { level: (label) => ({ level: label }) },
      // Nothing logs a request or a reply object whole: their URL may hold Refir's
      // token and their headers a key. Whatever Fastify itself logs goes through these.
      serializers: {
        req: (request: { method?: string; routeOptions?: { url?: string } }) => ({
          method: request.method,
          route: request.routeOptions?.url,
        }),
        res: (reply: { statusCode?: number }) => ({ status: reply.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    stream,
  );
}
