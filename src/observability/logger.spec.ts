import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { createLogger, wantsPrettyLogs } from './logger';
import { NestPinoLogger } from './nest-logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('the service logger', () => {
  it('is JSON unless LOG_FORMAT=pretty, or auto on a terminal', () => {
    expect(wantsPrettyLogs({ logLevel: 'log', logFormat: 'auto' }, { isTTY: undefined })).toBe(
      false,
    );
    expect(wantsPrettyLogs({ logLevel: 'log', logFormat: 'auto' }, { isTTY: true })).toBe(true);
    expect(wantsPrettyLogs({ logLevel: 'log', logFormat: 'json' }, { isTTY: true })).toBe(false);
    expect(wantsPrettyLogs({ logLevel: 'log', logFormat: 'pretty' }, {})).toBe(true);
  });

  it('keeps LOG_LEVEL names: log is info, and debug lines stay out at log', () => {
    const out = capture();
    const logger = createLogger({ logLevel: 'log', logFormat: 'json' }, out.stream);
    logger.debug('hidden');
    logger.info('shown');
    expect(out.lines().map((l) => [l.level, l.msg])).toEqual([['info', 'shown']]);
  });

  it("writes Nest's Logger calls as lines with their context, stacks only when Nest passes one", () => {
    const out = capture();
    const bridge = new NestPinoLogger(
      createLogger({ logLevel: 'debug', logFormat: 'json' }, out.stream),
    );
    Logger.overrideLogger(bridge);
    try {
      new Logger('Projections').log('ledger: running -> retrying with backoff');
      new Logger('Errors').warn('answered 503 Service Unavailable');
      new Logger('Errors').error('Error: boom\n    at somewhere (file.ts:1:1)');
      new Logger('RouterExplorer').log('Mapped {/x, GET} route');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(out.lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        context: 'Projections',
        msg: 'ledger: running -> retrying with backoff',
      }),
      expect.objectContaining({
        level: 'warn',
        context: 'Errors',
        msg: 'answered 503 Service Unavailable',
      }),
      expect.objectContaining({
        level: 'error',
        context: 'Errors',
        msg: expect.stringContaining('at somewhere'),
      }),
      // Nest's boot chatter is debug.
      expect.objectContaining({ level: 'debug', context: 'RouterExplorer' }),
    ]);
    expect(out.lines()[1]).not.toHaveProperty('stack');
  });
});
