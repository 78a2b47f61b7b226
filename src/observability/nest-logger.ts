import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/**
 * Nest's own boot chatter (every module loaded, every route mapped): useful
 * when debugging, noise in an operator's log.
 */
const BOOT_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

const STACK = /\n\s+at /;

/**
 * Nest's Logger (every `new Logger('Projections')` in the code) written as
 * pino lines: `context` is the logger's name, `msg` the message. Nest passes
 * the context as the last argument and, for errors, a stack before it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: readonly unknown[]): void {
    const { context, stack } = contextAndStack(params);
    const effective =
      level === 'info' && context !== undefined && BOOT_CONTEXTS.has(context) ? 'debug' : level;
    if (!this.logger.isLevelEnabled(effective)) return;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;
    if (message instanceof Error) {
      fields.err = message;
      this.logger[effective](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[effective]({ ...fields, ...message });
    } else {
      this.logger[effective](fields, String(message));
    }
  }
}

/** As Nest's ConsoleLogger reads them: a trailing string is the context; a string with frames, a stack. */
function contextAndStack(params: readonly unknown[]): { context?: string; stack?: string } {
  const rest = [...params];
  const last = rest[rest.length - 1];
  const context =
    typeof last === 'string' && !(rest.length === 1 && STACK.test(last)) ? last : undefined;
  if (context !== undefined) rest.pop();
  const stack = rest.find((p): p is string => typeof p === 'string' && STACK.test(p));
  return { context, stack };
}
