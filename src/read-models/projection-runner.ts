/**
 * Subscribes to the log from the stored checkpoint, folds events through the
 * projections, and commits documents, ledger entries and checkpoints in one
 * SQLite transaction per batch: ≥ 1000 events while catching up, and whatever
 * arrived by the next turn of the event loop when live.
 *
 * Whatever stops it (the log unreachable, a dropped subscription, a read-model
 * commit refused by a full disk or a busy file), it never gives up: it lets go
 * of the subscription, waits with capped exponential backoff, and subscribes
 * again from the checkpoints the read models hold, for as long as it takes.
 */
import type { Subscription } from 'rxjs';
import type { AllFilter, EventStore, RecordedEvent } from '../event-store/event-store.port';
import { WEBHOOK_STREAM_PREFIX } from '../ledger/webhook-received';
import { foldBatch } from '../projections/fold';
import type { Projection } from '../projections/projection';
import type { Checkpoint, ProblemRow, ReadModelStore } from './storage/read-model-store';
import { PositionWaiters } from './position-waiters';

export interface ProjectionStatus {
  readonly projection: string;
  readonly version: number;
  /** Last log position applied (or skipped); null before the first event. */
  readonly checkpoint: bigint | null;
  /** Log positions between the last known head and the checkpoint. */
  readonly lag?: bigint;
  readonly handled: bigint;
  readonly notUnderstood: bigint;
  readonly failed: bigint;
  /** The most recent events this projection could not handle, newest first. */
  readonly errors: readonly ProblemRow[];
  readonly state: RunnerState;
  /** While `retrying`: since when, how many attempts failed, the last error and the next attempt. */
  readonly retry?: RetryStatus;
}

/**
 * `starting`: the first attempt to follow the log is under way. `retrying`:
 * the last attempt failed (see `retry`) and another is scheduled.
 * `held`: a projection whose code version changed, served as it stands until its rebuild switches in.
 */
export type RunnerState = 'idle' | 'starting' | 'running' | 'retrying' | 'stopped' | 'held';

export interface RetryStatus {
  readonly since: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly nextAttemptAt: string;
}

/** Told once per change of state, never once per retry. */
export interface RunnerStateChange {
  readonly state: RunnerState;
  readonly previous: RunnerState;
  /** Entering `retrying`: the error that stopped the runner, as said and as thrown. */
  readonly error?: string;
  readonly cause?: unknown;
  /** Leaving `retrying`: how many attempts failed and for how long. */
  readonly failedAttempts?: number;
  readonly downForMs?: number;
}

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * An attempt that subscribed is taken as a recovery after its first commit,
   * or after this long without an error when nothing was there to commit:
   * without it a full disk would flip the state at every attempt.
   */
  readonly settleMs: number;
  /** A head read that has not answered by then counts as failed: a silent network must not stall the runner. */
  readonly attemptTimeoutMs: number;
}

/**
 * Short cap: an attempt costs one head read (and at most one batch folded
 * again), and a store that comes back is followed within ~2 s.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 2_000,
  settleMs: 1_000,
  attemptTimeoutMs: 10_000,
};

/** Delay before attempt `failures` + 1: doubles from the initial delay, capped. */
export function retryDelay(failures: number, policy: RetryPolicy): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

/** What a runner reads of the log: an EventStore, or a read-only follower of one (a worker's). */
export type FollowedLog = Pick<EventStore, 'headPosition' | 'subscribeToAll'>;

/**
 * What a runner's status is made of, as plain data: a runner on a worker
 * thread posts it after each commit, and the thread serving HTTP answers
 * status and read-your-writes from the last one it received.
 */
export interface RunnerSnapshot {
  readonly state: RunnerState;
  /** Subscribed: events are taken in (also during an attempt that has not settled yet). */
  readonly following: boolean;
  readonly checkpoints: readonly Checkpoint[];
  readonly head?: bigint;
  readonly retry?: RetryStatus;
}

export interface ProjectionRunnerOptions {
  readonly store: FollowedLog;
  readonly readModels: ReadModelStore;
  readonly projections: readonly Projection[];
  /** Events per transaction while catching up. */
  readonly batchSize?: number;
  readonly retry?: RetryPolicy;
  readonly onStateChange?: (change: RunnerStateChange) => void;
  /** Told after each commit and each newer head of the log. */
  readonly onProgress?: () => void;
}

/**
 * What a runner follows: webhook deliveries. Heads are read with the same
 * filter, so that lag, read-your-writes and a rebuild's chase compare with the
 * last delivery, not with a marker or another application's event after it.
 */
export const FOLLOWED_EVENTS: AllFilter = { streamPrefixes: [WEBHOOK_STREAM_PREFIX] };

const RECENT_ERRORS = 20;
/**
 * Under a stream of deliveries, one commit every 50 ms. A live commit writes
 * every B-tree page its documents, entries and their indexes touched (~15
 * pages an event at 60 events a commit, measured at 20k deliveries); pages
 * shared by the events of one commit are written once, so at 150 events a
 * commit it is ~10 pages an event. Read-your-writes waits at most this much
 * longer under load; an idle runner still folds an event on the next turn.
 */
const LIVE_BATCH_MS = 50;

export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly policy: RetryPolicy;
  private checkpoints = new Map<string, Checkpoint>();
  private buffer: RecordedEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private subscription: Subscription | undefined;
  /** True while subscribed: events are taken in (also during an attempt that has not settled yet). */
  private following = false;
  private readonly waiters = new PositionWaiters();
  private head: bigint | undefined;
  private state: RunnerState = 'idle';
  /** Counts starts, stops and failures, so that an attempt overtaken by any of them gives up. */
  private epoch = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private retry:
    { since: number; attempts: number; lastError: string; nextAttemptAt: number } | undefined;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 1000;
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  /**
   * Resolves once the first attempt to follow the log succeeded or failed;
   * it never rejects: a failed attempt leaves the runner `retrying`.
   */
  async start(): Promise<void> {
    if (this.state === 'running' || this.state === 'starting' || this.state === 'retrying') return;
    this.changeState('starting');
    await this.attempt(++this.epoch);
  }

  /** Commits what was received, then stops listening and retrying. The read models stay open. */
  async stop(): Promise<void> {
    this.epoch += 1;
    const following = this.following;
    this.unfollow();
    if (following) {
      try {
        this.commitBuffer();
        this.options.onProgress?.();
      } catch {
        // Not committed: the checkpoint stays before these events, the next start folds them again.
      }
    }
    this.buffer = [];
    this.retry = undefined;
    if (this.state !== 'idle') this.changeState('stopped');
    this.releaseWaiters();
  }

  /** Nothing more will be applied for now: whoever still waits is told so now. */
  private releaseWaiters(): void {
    this.waiters.releaseAll((position) => this.reached(position));
  }

  /**
   * Read-your-writes: true once every projection has applied `position`, false
   * on timeout, and false at once while the runner is not following the log.
   */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.reached(position)) return Promise.resolve(true);
    if (this.state === 'stopped' || (this.state === 'retrying' && !this.following))
      return Promise.resolve(false);
    return this.waiters.wait(position, timeoutMs);
  }

  status(): ProjectionStatus[] {
    return projectionStatuses(this.options.projections, this.snapshot(), (name) =>
      this.recentErrors(name),
    );
  }

  snapshot(): RunnerSnapshot {
    const retry = this.retryStatus();
    return {
      state: this.state,
      following: this.following,
      checkpoints: [...this.checkpoints.values()],
      ...(this.head === undefined ? {} : { head: this.head }),
      ...(retry === undefined ? {} : { retry }),
    };
  }

  /** A damaged read-model file must not take the status (and readiness) down with it. */
  recentErrors(projection: string): ProblemRow[] {
    try {
      return this.options.readModels.recentErrors(projection, RECENT_ERRORS);
    } catch {
      return [];
    }
  }

  get currentState(): RunnerState {
    return this.state;
  }

  private retryStatus(): RetryStatus | undefined {
    if (this.retry === undefined || this.state !== 'retrying') return undefined;
    return {
      since: new Date(this.retry.since).toISOString(),
      attempts: this.retry.attempts,
      lastError: this.retry.lastError,
      nextAttemptAt: new Date(this.retry.nextAttemptAt).toISOString(),
    };
  }

  /** One attempt: checkpoints from the read models, the head of the log, then subscribe after them. */
  private async attempt(epoch: number): Promise<void> {
    this.retryTimer = undefined;
    let after: bigint | undefined;
    try {
      this.checkpoints = this.prepareCheckpoints();
      after = earliest([...this.checkpoints.values()].map((c) => c.position));
      const head = await withTimeout(
        this.options.store.headPosition(FOLLOWED_EVENTS),
        this.policy.attemptTimeoutMs,
        'the event store did not answer for the head of the log',
      );
      if (epoch !== this.epoch) return;
      this.newHead(head);
    } catch (error) {
      if (epoch === this.epoch) this.failed(error);
      return;
    }
    // Every projection held for a rebuild: nothing here to follow the log for.
    if (this.options.projections.length === 0) {
      this.retry = undefined;
      this.changeState('running');
      return;
    }
    this.following = true;
    try {
      this.subscription = this.options.store
        .subscribeToAll({ after, filter: FOLLOWED_EVENTS })
        .subscribe({
          next: (event) => this.receive(event),
          error: (error: unknown) => {
            if (epoch === this.epoch) this.failed(error);
          },
        });
    } catch (error) {
      // Thrown rather than signalled (an adapter refusing at once): retried all the same.
      if (epoch === this.epoch) this.failed(error);
      return;
    }
    if (epoch !== this.epoch) return;
    if (this.retry === undefined) {
      this.changeState('running');
      this.settleWaiters();
    } else {
      this.settleTimer = setTimeout(() => this.recovered(), this.policy.settleMs);
    }
  }

  /** The attempt under way proved itself: one line for the recovery, not one per attempt. */
  private recovered(): void {
    if (this.settleTimer !== undefined) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    const retry = this.retry;
    if (retry === undefined) return;
    this.retry = undefined;
    this.changeState('running', {
      failedAttempts: retry.attempts,
      downForMs: Date.now() - retry.since,
    });
  }

  /**
   * Lets go of the log and of what was folded but not committed, and tries
   * again later from the checkpoints the read models hold.
   */
  private failed(error: unknown): void {
    this.epoch += 1;
    const epoch = this.epoch;
    this.unfollow();
    this.buffer = [];
    try {
      this.options.readModels.discardUncommitted();
    } catch {
      // The next attempt reads the checkpoints again, or fails and retries.
    }
    const message = messageOf(error);
    const attempts = (this.retry?.attempts ?? 0) + 1;
    const delay = retryDelay(attempts, this.policy);
    this.retry = {
      since: this.retry?.since ?? Date.now(),
      attempts,
      lastError: message,
      nextAttemptAt: Date.now() + delay,
    };
    if (this.state !== 'retrying') this.changeState('retrying', { error: message, cause: error });
    this.releaseWaiters();
    this.retryTimer = setTimeout(() => void this.attempt(epoch), delay);
  }

  private unfollow(): void {
    this.following = false;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const timer of [this.flushTimer, this.retryTimer, this.settleTimer]) {
      if (timer !== undefined) clearTimeout(timer);
    }
    this.flushTimer = undefined;
    this.retryTimer = undefined;
    this.settleTimer = undefined;
  }

  private changeState(
    state: RunnerState,
    details: Omit<RunnerStateChange, 'state' | 'previous'> = {},
  ): void {
    const previous = this.state;
    this.state = state;
    if (previous !== state) this.options.onStateChange?.({ state, previous, ...details });
  }

  /** A projection whose code version changed starts again from the beginning of the log. */
  private prepareCheckpoints(): Map<string, Checkpoint> {
    const { readModels, projections } = this.options;
    const stored = readModels.checkpoints();
    for (const projection of projections) {
      if (stored.get(projection.name)?.version !== projection.version) {
        readModels.reset(projection.name, projection.version, projection.collections);
      }
    }
    const own = new Set(projections.map((p) => p.name));
    return new Map([...readModels.checkpoints()].filter(([name]) => own.has(name)));
  }

  private receive(event: RecordedEvent): void {
    if (!this.following) return;
    this.buffer.push(event);
    if (this.buffer.length >= this.batchSize) this.flush();
    else this.scheduleFlush();
  }

  /**
   * Idle, an event is folded on the next turn of the event loop; under a
   * stream of events, flushes are spaced LIVE_BATCH_MS apart so that one
   * transaction carries many events and a busy document is written once.
   */
  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    const wait = Math.max(0, this.lastFlushAt + LIVE_BATCH_MS - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, wait);
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    try {
      this.commitBuffer();
    } catch (error) {
      this.failed(error);
      return;
    }
    if (this.retry !== undefined) this.recovered();
    this.settleWaiters();
    this.options.onProgress?.();
    void this.options.store.headPosition(FOLLOWED_EVENTS).then(
      (head) => this.newHead(head),
      () => undefined,
    );
  }

  private newHead(head: bigint | undefined): void {
    if (head === undefined || (this.head !== undefined && head <= this.head)) return;
    this.head = head;
    this.options.onProgress?.();
  }

  /** Folds and commits the buffered events in one transaction; throws when the commit fails. */
  private commitBuffer(): void {
    if (this.buffer.length === 0) return;
    this.lastFlushAt = Date.now();
    const events = this.buffer;
    this.buffer = [];
    const { readModels, projections } = this.options;
    const batch = foldBatch(events, projections, this.checkpoints, (ref) =>
      readModels.loadDocument(ref),
    );
    // Before the commit, so that lag counts these events also when the commit fails.
    const last = events[events.length - 1]?.position;
    if (last !== undefined && (this.head === undefined || last > this.head)) this.head = last;
    readModels.commit(batch);
    this.checkpoints = new Map(batch.checkpoints.map((c) => [c.projection, c]));
  }

  private reached(position: bigint): boolean {
    return reachedPosition(this.checkpoints.values(), position);
  }

  private settleWaiters(): void {
    this.waiters.settle((position) => this.reached(position));
  }
}

/** Every projection has applied `position` (none yet: not reached). */
export function reachedPosition(checkpoints: Iterable<Checkpoint>, position: bigint): boolean {
  let any = false;
  for (const c of checkpoints) {
    if (c.position === null || c.position < position) return false;
    any = true;
  }
  return any;
}

/** The status of each projection of a runner, from its snapshot. */
export function projectionStatuses(
  projections: readonly Pick<Projection, 'name' | 'version'>[],
  snapshot: RunnerSnapshot,
  recentErrors: (projection: string) => readonly ProblemRow[],
): ProjectionStatus[] {
  const { head, retry } = snapshot;
  const checkpoints = new Map(snapshot.checkpoints.map((c) => [c.projection, c]));
  return projections.map((projection) => {
    const checkpoint = checkpoints.get(projection.name);
    const position = checkpoint?.position ?? null;
    return {
      projection: projection.name,
      version: projection.version,
      checkpoint: position,
      ...(head === undefined
        ? {}
        : { lag: head > (position ?? 0n) ? head - (position ?? 0n) : 0n }),
      handled: checkpoint?.handled ?? 0n,
      notUnderstood: checkpoint?.notUnderstood ?? 0n,
      failed: checkpoint?.failed ?? 0n,
      errors: recentErrors(projection.name),
      state: snapshot.state,
      ...(retry === undefined || snapshot.state !== 'retrying' ? {} : { retry }),
    };
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resume after the least advanced projection; from the start if any has not begun. */
function earliest(positions: readonly (bigint | null)[]): bigint | undefined {
  let min: bigint | undefined;
  for (const position of positions) {
    if (position === null) return undefined;
    if (min === undefined || position < min) min = position;
  }
  return min;
}

/**
 * An error's own words. Duck-typed: errors thrown by native modules or another
 * realm (jest's, a worker's) are not instances of this realm's Error, and
 * `String()` would prefix their class name.
 */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
