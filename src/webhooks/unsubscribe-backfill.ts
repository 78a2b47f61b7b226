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
import { UNSUBSCRIBE_LOOKUP } from './unsubscribe-lookup';
import type { UnsubscribesFromLog } from './unsubscribes-from-log';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

@Injectable()
export class UnsubscribeBackfill implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Unsubscribes');
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(@Inject(UNSUBSCRIBE_LOOKUP) private readonly unsubscribes: UnsubscribesFromLog) {}

  onApplicationBootstrap(): void {
    this.attempt(FIRST_RETRY_MS, undefined);
  }

  /** Before the store closes: a scan in flight finishes or fails, nothing is retried after. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private attempt(retryMs: number, lastFailure: string | undefined): void {
    if (this.stopped) return;
    this.running = this.unsubscribes.backfill().then(
      ({ unsubscribes, upTo }) => {
        if (unsubscribes > 0 || lastFailure !== undefined)
          this.logger.log(
            `unsubscribe markers backfilled: ${unsubscribes} unsubscribes up to position ${upTo}`,
          );
      },
      (error: unknown) => {
        if (this.stopped) return;
        const failure = error instanceof Error ? error.message : String(error);
        // One line per change of cause, not one per retry.
        if (failure !== lastFailure)
          this.logger.warn(`unsubscribe marker backfill failed, retrying with backoff: ${failure}`);
        this.timer = setTimeout(
          () => this.attempt(Math.min(retryMs * 2, MAX_RETRY_MS), failure),
          retryMs,
        );
        this.timer.unref();
      },
    );
  }
}
