/**
 * Runs the unsubscribe-marker backfill once per start, in the background: a
 * store that is unreachable at boot must not keep the service from starting,
 * so it retries with backoff until it succeeds or the service stops. Until it
 * has finished, checks stay exact by scanning what it has not covered yet.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { UNSUBSCRIBE_LOOKUP } from '../ledger/unsubscribe-lookup';
import type { BackfillResult, UnsubscribesFromLog } from './unsubscribes-from-log';

export interface RetryOptions {
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
  /** `failed`: a line about a failure (warn), else about the outcome (log). */
  readonly log: (line: string, failed: boolean) => void;
}

export interface RetryingRun {
  /** Resolves when the run succeeded, or once it is stopped. */
  readonly done: Promise<BackfillResult | undefined>;
  /** No retry after this; an attempt in flight is awaited. */
  stop(): Promise<void>;
}

/** Retries `run` with doubling delays; one log line per change of cause, not one per retry. */
export function retryUntilDone(
  run: () => Promise<BackfillResult>,
  options: RetryOptions,
): RetryingRun {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  let finish: (result: BackfillResult | undefined) => void = () => undefined;
  const done = new Promise<BackfillResult | undefined>((resolve) => (finish = resolve));

  const attempt = (retryMs: number, lastFailure: string | undefined): void => {
    if (stopped) return finish(undefined);
    inFlight = run().then(
      (result) => {
        if (result.unsubscribes > 0 || lastFailure !== undefined)
          options.log(
            `unsubscribe markers backfilled: ${result.unsubscribes} unsubscribes up to position ${result.upTo}`,
            false,
          );
        finish(result);
      },
      (error: unknown) => {
        if (stopped) return finish(undefined);
        const failure = error instanceof Error ? error.message : String(error);
        if (failure !== lastFailure)
          options.log(
            `unsubscribe marker backfill failed, retrying with backoff: ${failure}`,
            true,
          );
        timer = setTimeout(
          () => attempt(Math.min(retryMs * 2, options.maxRetryMs), failure),
          retryMs,
        );
        timer.unref();
      },
    );
  };
  attempt(options.firstRetryMs, undefined);

  return {
    done,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      finish(undefined);
    },
  };
}

@Injectable()
export class UnsubscribeBackfill implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Unsubscribes');
  private running: RetryingRun | undefined;

  constructor(@Inject(UNSUBSCRIBE_LOOKUP) private readonly unsubscribes: UnsubscribesFromLog) {}

  onApplicationBootstrap(): void {
    this.running = retryUntilDone(() => this.unsubscribes.backfill(), {
      firstRetryMs: 1_000,
      maxRetryMs: 30_000,
      log: (line, failed) => (failed ? this.logger.warn(line) : this.logger.log(line)),
    });
  }

  /** Before the store closes: a scan in flight finishes or fails, nothing is retried after. */
  async onModuleDestroy(): Promise<void> {
    await this.running?.stop();
  }
}
