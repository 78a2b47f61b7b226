/**
 * Subscribes to the log from the stored checkpoint, folds events through the
 * projections, and commits documents, ledger entries and checkpoints in one
 * SQLite transaction per batch: ≥ 1000 events while catching up, and whatever
 * arrived by the next turn of the event loop when live.
 */
import type { Subscription } from 'rxjs';
import type { EventStore, RecordedEvent } from '../event-store/event-store.port';
import { WEBHOOK_STREAM_PREFIX } from '../ledger/webhook-received';
import { foldBatch } from './projection-batch';
import type { Projection } from './projection';
import type { Checkpoint, ProblemRow, ReadModelStore } from './storage/read-model-store';

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
  /** Why the runner stopped, when a commit failed. */
  readonly failure?: string;
}

/** `held`: a projection whose code version changed, served as it stands until its rebuild switches in. */
export type RunnerState = 'idle' | 'running' | 'stopped' | 'failed' | 'held';

export interface ProjectionRunnerOptions {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly projections: readonly Projection[];
  /** Events per transaction while catching up. */
  readonly batchSize?: number;
}

interface Waiter {
  readonly position: bigint;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

const RECENT_ERRORS = 20;
const LIVE_BATCH_MS = 20;

export class ProjectionRunner {
  private readonly batchSize: number;
  private checkpoints = new Map<string, Checkpoint>();
  private buffer: RecordedEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private subscription: Subscription | undefined;
  private waiters: Waiter[] = [];
  private head: bigint | undefined;
  private state: RunnerState = 'idle';
  /** Counts starts and stops, so that a start overtaken by a stop gives up. */
  private attempts = 0;
  private failure: string | undefined;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 1000;
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    const attempt = ++this.attempts;
    this.checkpoints = this.prepareCheckpoints();
    this.head = await this.options.store.headPosition();
    // Stopped while asking for the head: stay stopped.
    if (attempt !== this.attempts) return;
    this.state = 'running';
    this.failure = undefined;
    const after = earliest([...this.checkpoints.values()].map((c) => c.position));
    this.subscription = this.options.store
      .subscribeToAll({ after, filter: { streamPrefixes: [WEBHOOK_STREAM_PREFIX] } })
      .subscribe({
        next: (event) => this.receive(event),
        error: (error: unknown) => this.fail(error),
      });
  }

  /** Commits what was received, then stops listening. The read models stay open. */
  async stop(): Promise<void> {
    this.attempts += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.state === 'running') this.flush();
    if (this.state !== 'failed') this.state = 'stopped';
    this.releaseWaiters();
  }

  /** Nothing more will be applied: whoever still waits is told so now. */
  private releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.reached(waiter.position));
    }
  }

  /** Read-your-writes: true once every projection has applied `position`, false on timeout. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.reached(position)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  status(): ProjectionStatus[] {
    return this.options.projections.map((projection) => {
      const checkpoint = this.checkpoints.get(projection.name);
      const position = checkpoint?.position ?? null;
      const head = this.head;
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
        errors: this.options.readModels.recentErrors(projection.name, RECENT_ERRORS),
        state: this.state,
        ...(this.failure === undefined ? {} : { failure: this.failure }),
      };
    });
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
    if (this.state !== 'running') return;
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
    this.lastFlushAt = Date.now();
    const events = this.buffer;
    this.buffer = [];
    const { readModels, projections } = this.options;
    try {
      const batch = foldBatch(events, projections, this.checkpoints, (ref) =>
        readModels.loadDocument(ref),
      );
      readModels.commit(batch);
      this.checkpoints = new Map(batch.checkpoints.map((c) => [c.projection, c]));
    } catch (error) {
      this.fail(error);
      return;
    }
    const last = events[events.length - 1]?.position;
    if (last !== undefined && (this.head === undefined || last > this.head)) this.head = last;
    this.settleWaiters();
    void this.options.store.headPosition().then(
      (head) => {
        if (head !== undefined && (this.head === undefined || head > this.head)) this.head = head;
      },
      () => undefined,
    );
  }

  /** A commit that fails stops the runner: nothing past the stored checkpoint is lost, `start()` resumes. */
  private fail(error: unknown): void {
    this.state = 'failed';
    this.failure = error instanceof Error ? error.message : String(error);
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.buffer = [];
    this.releaseWaiters();
  }

  private reached(position: bigint): boolean {
    if (this.checkpoints.size === 0) return false;
    return [...this.checkpoints.values()].every(
      (c) => c.position !== null && c.position >= position,
    );
  }

  private settleWaiters(): void {
    const done = this.waiters.filter((w) => this.reached(w.position));
    this.waiters = this.waiters.filter((w) => !done.includes(w));
    for (const waiter of done) {
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }
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
