/**
 * A generation's projection runner seen from the thread that serves HTTP: the
 * runner itself runs on a worker thread (projection.worker.ts), and this side
 * answers status and read-your-writes from the checkpoints the worker posts
 * after each commit, without reading the log or the read models itself.
 *
 * A worker that dies (an uncaught error, the thread ended, out of memory) is
 * started again with the runner's backoff, and until one follows the log
 * again the projections are `retrying`, with the cause. Nothing is lost or
 * applied twice by that: the checkpoints commit with the documents, and the
 * next worker resumes from what the file holds.
 */
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../threads/spawn-worker';
import {
  DEFAULT_RETRY_POLICY,
  projectionStatuses,
  reachedPosition,
  retryDelay,
  type ProjectionStatus,
  type RetryPolicy,
  type RunnerSnapshot,
  type RunnerState,
  type RunnerStateChange,
} from './projection-runner';
import type { Projection } from '../projections/projection';
import type { ProblemRow } from './storage/read-model-store';
import type {
  ProjectionWorkerCommand,
  ProjectionWorkerData,
  ProjectionWorkerMessage,
} from './projection.worker';
import { PositionWaiters } from './position-waiters';

/** What LiveProjections needs of a generation's runner, wherever it runs. */
export interface GenerationRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean>;
  status(): ProjectionStatus[];
  readonly currentState: RunnerState;
}

export interface WorkerRunnerOptions {
  readonly data: ProjectionWorkerData;
  /** The projections the worker runs (data.projections), for their names and versions. */
  readonly projections: readonly Pick<Projection, 'name' | 'version'>[];
  readonly retry?: RetryPolicy;
  readonly onStateChange?: (change: RunnerStateChange) => void;
  /**
   * The appending store's commits (the embedded log): each one wakes the
   * worker's subscription at once instead of at its next poll.
   */
  readonly commits?: (listener: () => void) => () => void;
  /** How long a worker asked to stop may take to commit what it folded before it is ended. */
  readonly stopTimeoutMs?: number;
}

const IDLE: RunnerSnapshot = { state: 'idle', following: false, checkpoints: [] };
/**
 * A stop is handled between batches (one takes well under a second) and the
 * worker then commits what it folded: a worker still there after this is
 * stuck, and ending it loses only work that was not committed.
 */
const STOP_TIMEOUT_MS = 5_000;

export class WorkerRunner implements GenerationRunner {
  private readonly policy: RetryPolicy;
  private worker: Worker | undefined;
  private snapshot: RunnerSnapshot = IDLE;
  private readonly errors = new Map<string, readonly ProblemRow[]>();
  /** Since the worker died: how often, why, and when the next one starts. */
  private crash:
    | {
        since: number;
        attempts: number;
        lastError: string;
        nextAttemptAt: number;
        timer: NodeJS.Timeout;
      }
    | undefined;
  private stopping = false;
  private reported: RunnerState = 'idle';
  private readonly waiters = new PositionWaiters();
  private unsubscribeCommits: (() => void) | undefined;
  /** Workers started so far: tells a late message or exit of a replaced one apart. */
  private generation = 0;
  private started: (() => void) | undefined;

  constructor(private readonly options: WorkerRunnerOptions) {
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
  }

  /** Resolves once the worker's first attempt to follow the log succeeded or failed, or it died. */
  async start(): Promise<void> {
    if (this.worker !== undefined || this.crash !== undefined) return;
    this.stopping = false;
    const commits = this.options.commits;
    if (commits !== undefined && this.unsubscribeCommits === undefined) {
      this.unsubscribeCommits = commits(() => this.send({ type: 'appended' }));
    }
    await this.spawn();
  }

  private spawn(): Promise<void> {
    const generation = ++this.generation;
    const worker = spawnWorker(join(__dirname, 'projection.worker'), {
      workerData: this.options.data,
    });
    this.worker = worker;
    const started = new Promise<void>((resolve) => (this.started = resolve));
    worker.on('message', (message: ProjectionWorkerMessage) => {
      if (generation === this.generation) this.receive(message);
    });
    let failure: unknown;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (generation !== this.generation) return;
      this.worker = undefined;
      this.started?.();
      this.started = undefined;
      if (this.stopping) return;
      this.died(
        failure === undefined
          ? `the projection worker exited with code ${code}`
          : `the projection worker failed: ${messageOf(failure)}`,
        failure,
      );
    });
    return started;
  }

  private receive(message: ProjectionWorkerMessage): void {
    switch (message.type) {
      case 'started':
        this.started?.();
        this.started = undefined;
        return;
      case 'progress':
        for (const [projection, errors] of Object.entries(message.errors ?? {})) {
          this.errors.set(projection, errors);
        }
        this.update(message.snapshot);
        return;
      case 'state': {
        const { cause, ...change } = message.change;
        this.update(message.snapshot, { ...change, ...(cause === undefined ? {} : { cause }) });
        return;
      }
    }
  }

  /** The worker's news: the crash it recovers from is over once it follows the log again. */
  private update(
    snapshot: RunnerSnapshot,
    change?: Omit<RunnerStateChange, 'state' | 'previous'>,
  ): void {
    this.snapshot = snapshot;
    const crash = this.crash;
    if (crash !== undefined && snapshot.state === 'running') {
      clearTimeout(crash.timer);
      this.crash = undefined;
      this.report({ failedAttempts: crash.attempts, downForMs: Date.now() - crash.since });
    } else {
      this.report(change);
    }
    this.settleWaiters();
  }

  private died(reason: string, cause: unknown): void {
    const attempts = (this.crash?.attempts ?? 0) + 1;
    const delay = retryDelay(attempts, this.policy);
    if (this.crash !== undefined) clearTimeout(this.crash.timer);
    this.crash = {
      since: this.crash?.since ?? Date.now(),
      attempts,
      lastError: `${reason}; starting another`,
      nextAttemptAt: Date.now() + delay,
      timer: setTimeout(() => {
        if (!this.stopping) void this.spawn();
      }, delay),
    };
    this.snapshot = { ...this.snapshot, state: 'retrying', following: false };
    this.report({ error: this.crash.lastError, cause });
    this.releaseWaiters();
  }

  /** Tells a change of the state this side shows, once per change, as the runner does. */
  private report(details: Omit<RunnerStateChange, 'state' | 'previous'> = {}): void {
    const state = this.currentState;
    const previous = this.reported;
    if (state === previous) return;
    this.reported = state;
    this.options.onStateChange?.({ state, previous, ...details });
  }

  /** Asks the worker to commit what it folded and end; one that does not in time is ended. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribeCommits?.();
    this.unsubscribeCommits = undefined;
    if (this.crash !== undefined) clearTimeout(this.crash.timer);
    this.crash = undefined;
    const worker = this.worker;
    if (worker !== undefined) {
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      this.send({ type: 'stop' });
      const timer = setTimeout(
        () => void worker.terminate(),
        this.options.stopTimeoutMs ?? STOP_TIMEOUT_MS,
      );
      await exited;
      clearTimeout(timer);
    }
    if (this.snapshot.state !== 'idle' || this.reported !== 'idle') {
      this.snapshot = { ...this.snapshot, state: 'stopped', following: false };
      this.report();
    }
    this.releaseWaiters();
  }

  /**
   * Ends the worker thread at once, wherever it is (a batch half folded, a
   * read-model transaction open): what a crash of the worker does. The crash
   * spec uses it; the runner then recovers as from any other death.
   */
  async terminate(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    // Resolved once this side has seen the exit (and is restarting), not only the thread gone.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => setImmediate(resolve)));
    await worker.terminate();
    await exited;
  }

  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (reachedPosition(this.snapshot.checkpoints, position)) return Promise.resolve(true);
    const state = this.currentState;
    if (state === 'stopped' || (state === 'retrying' && !this.snapshot.following))
      return Promise.resolve(false);
    return this.waiters.wait(position, timeoutMs);
  }

  status(): ProjectionStatus[] {
    const crash = this.crash;
    const snapshot: RunnerSnapshot =
      crash === undefined
        ? this.snapshot
        : {
            ...this.snapshot,
            state: 'retrying',
            retry: {
              since: new Date(crash.since).toISOString(),
              attempts: crash.attempts,
              lastError: crash.lastError,
              nextAttemptAt: new Date(crash.nextAttemptAt).toISOString(),
            },
          };
    return projectionStatuses(
      this.options.projections,
      snapshot,
      (projection) => this.errors.get(projection) ?? [],
    );
  }

  get currentState(): RunnerState {
    return this.crash === undefined ? this.snapshot.state : 'retrying';
  }

  private send(command: ProjectionWorkerCommand): void {
    this.worker?.postMessage(command);
  }

  private settleWaiters(): void {
    this.waiters.settle((position) => reachedPosition(this.snapshot.checkpoints, position));
  }

  /** Nothing more will be applied for now: whoever still waits is told so now. */
  private releaseWaiters(): void {
    this.waiters.releaseAll((position) => reachedPosition(this.snapshot.checkpoints, position));
  }
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
