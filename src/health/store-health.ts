/**
 * What the outcomes of recent appends say about the event log. A ping only
 * proves that the store answers reads: a full disk, a cached discovery failure
 * or a refused write path fail every append while the ping stays green.
 */
import { ConcurrencyError, StoreUnavailableError } from '../event-store/event-store.errors';

/**
 * How long one failed append keeps readiness red without a later success,
 * when pings answered meanwhile (a full disk, a write path that fails on its
 * own). A balancer that stops sending webhooks on a red readiness would
 * otherwise never let an append prove that the store recovered.
 */
export const APPEND_FAILURE_HOLD_MS = 15_000;

export interface AppendsFailing {
  readonly since: string;
  readonly lastFailureAt: string;
  readonly failures: number;
  readonly lastError: string;
}

export interface HealthLog {
  log(message: string): void;
  warn(message: string): void;
}

interface Failing {
  readonly since: number;
  readonly lastAt: number;
  readonly failures: number;
  readonly lastError: string;
  /**
   * A ping failed around these failures (the last one before, or one since):
   * the store was unreachable, so a ping that answers again ends them.
   */
  readonly unreachable: boolean;
}

export class StoreHealth {
  private failing: Failing | undefined;
  private lastPingOk: boolean | undefined;

  constructor(
    private readonly logger: HealthLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** The store took the append, or answered that the stream exists: its write path works. */
  appendSucceeded(): void {
    const failing = this.failing;
    if (failing === undefined) return;
    this.failing = undefined;
    this.logger.log(
      `appends to the event log succeed again after ${failing.failures} failed in ${this.now() - failing.since} ms`,
    );
  }

  /** Only an unavailable store counts: a conflict is an answer, a refused argument is ours. */
  appendFailed(error: unknown): void {
    if (error instanceof ConcurrencyError) return this.appendSucceeded();
    if (!(error instanceof StoreUnavailableError)) return;
    const now = this.now();
    const lastError = describeStoreError(error);
    const unreachable = this.lastPingOk !== true;
    if (this.failing === undefined) {
      this.failing = { since: now, lastAt: now, failures: 1, lastError, unreachable };
      this.logger.warn(`appends to the event log fail: ${lastError}`);
      return;
    }
    this.failing = {
      ...this.failing,
      lastAt: now,
      failures: this.failing.failures + 1,
      lastError,
      unreachable: this.failing.unreachable || unreachable,
    };
  }

  /**
   * The outcome of a ping. One that answers again ends failures the store's
   * unreachability explains; failures while pings answered wait for an append.
   */
  pinged(ok: boolean): void {
    this.lastPingOk = ok;
    const failing = this.failing;
    if (failing === undefined) return;
    if (!ok) {
      if (!failing.unreachable) this.failing = { ...failing, unreachable: true };
      return;
    }
    if (!failing.unreachable) return;
    this.failing = undefined;
    this.logger.log(
      `the event log answers again after ${failing.failures} failed appends in ${this.now() - failing.since} ms`,
    );
  }

  /** Appends are failing: the last one failed, recently enough to say so. */
  appendsFailing(): AppendsFailing | undefined {
    const failing = this.failing;
    if (failing === undefined || this.now() - failing.lastAt > APPEND_FAILURE_HOLD_MS)
      return undefined;
    return {
      since: new Date(failing.since).toISOString(),
      lastFailureAt: new Date(failing.lastAt).toISOString(),
      failures: failing.failures,
      lastError: failing.lastError,
    };
  }
}

/** An error's message and its cause's, with any credentials of a connection string masked. */
export function describeStoreError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const text = cause !== '' && !message.includes(cause) ? `${message}: ${cause}` : message;
  return text.replace(/\/\/[^/@\s]+@/g, '//***@');
}
