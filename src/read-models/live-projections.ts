/**
 * The read models being served, and their rebuild beside them. Each
 * generation is one SQLite file in the data directory; `read-models.current`
 * names the live one. A rebuild projects the whole log into a new generation
 * while queries keep reading the live one, and switches once it has caught up
 * with the log: the switch is one assignment here and one atomic rename on disk.
 */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { AppConfig, EventStoreConfig } from '../config/app-config';
import { PRIVATE_FILE_MODE } from '../data-dir/private-files';
import type { EventStore } from '../event-store/event-store.port';
import { ReadModelsUnavailable, RebuildInProgress, UnknownProjection } from '../ledger/errors';
import type { Projection } from '../projections/projection';
import { WorkerRunner, type GenerationRunner } from './worker-runner';
import {
  DEFAULT_RETRY_POLICY,
  FOLLOWED_EVENTS,
  ProjectionRunner,
  retryDelay,
  type ProjectionStatus,
  type RunnerStateChange,
} from './projection-runner';
import { ReadModels } from './read-models';
import {
  DEFAULT_READ_MODEL_FILE,
  ReadModelStore,
  type Checkpoint,
  type ReadModelStoreOptions,
} from './storage/read-model-store';
import { copyProjectionsInto, indexGeneration } from './storage/maintenance';
import {
  isCorruptionError,
  isPassingOpenError,
  setAsideReadModelFile,
} from './storage/unreadable-read-models';

const POINTER = 'read-models.current';
/** The names of the generations: the only names the pointer may hold. */
const GENERATION_FILE = /^read-models(-\d+)?\.sqlite$/;
const CATCH_UP_STEP_MS = 60_000;
/** How often a rebuild asks again for the head of a log that does not answer, or for a runner that retries. */
const CHASE_RETRY_MS = 1_000;
/** How often read-your-writes looks again while a held projection awaits its switch. */
const HELD_POLL_MS = 20;
/**
 * Events per read-model transaction while a generation is being built: one
 * batch holds the event loop for ~20 ms, so the service keeps answering
 * (the rebuild rate measured the same from 100 to 5,000).
 */
export const BUILDING_BATCH_SIZE = 100;

/** A generation being built: nobody queries it, its runner writes it (on a worker, it alone opens it). */
export interface BuildingGeneration {
  readonly fileName: string;
  readonly runner: GenerationRunner;
  /** Open here when the runner runs on this thread; on a worker, the worker holds the file. */
  readonly store?: ReadModelStore;
}

export interface Generation extends BuildingGeneration {
  /** This thread's connection: queries read it; with a worker runner it writes nothing (query_only). */
  readonly store: ReadModelStore;
  readonly readModels: ReadModels;
  /**
   * Projections whose code version changed since this generation was written:
   * their read models are served as they stand, not advanced, until the
   * rebuild of the new version beside them switches in.
   */
  readonly held: readonly Checkpoint[];
}

export interface RebuildProgress {
  readonly state: 'building' | 'switched' | 'failed';
  /** While building: copying carried-over projections, projecting the log, indexing, catching up. */
  readonly phase?: 'copying' | 'projecting' | 'indexing' | 'catching-up';
  /** The projections rebuilt from the start of the log; the others were carried over. */
  readonly rebuilding: readonly string[];
  readonly fileName: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly failure?: string;
  readonly projections: readonly ProjectionStatus[];
}

/**
 * The live generation's file name, as `read-models.current` names it. The
 * pointer is data, not a path: only a generation file name of ours is followed,
 * and only to a regular file of its own in DATA_DIR. Followed blindly, a pointer
 * naming `events.sqlite` wrote read-model tables into the event log and
 * `../x.sqlite` wrote outside DATA_DIR. Throws InvalidReadModelPointer otherwise.
 */
export function activeGenerationFile(dataDir: string): string {
  const pointer = join(dataDir, POINTER);
  if (!existsSync(pointer)) return DEFAULT_READ_MODEL_FILE;
  const name = readFileSync(pointer, 'utf8').trim();
  if (!GENERATION_FILE.test(name)) {
    throw new InvalidReadModelPointer(
      pointer,
      name,
      'is not the name of a read-model generation (read-models.sqlite or read-models-<digits>.sqlite, in DATA_DIR itself)',
    );
  }
  let stat;
  try {
    stat = lstatSync(join(dataDir, name));
  } catch {
    return name; // not there yet: opened fresh, in DATA_DIR
  }
  // A link by that name would lead the read-model tables into whatever it points at (the event log).
  if (!stat.isFile())
    throw new InvalidReadModelPointer(pointer, name, 'names a link or a non-regular file');
  return name;
}

/** Writes the pointer beside itself, then renames it over: readers see the old or the new name. */
export function switchGenerationFile(dataDir: string, fileName: string): void {
  const pointer = join(dataDir, POINTER);
  if (!GENERATION_FILE.test(fileName)) throw new Error(`not a generation file name: ${fileName}`);
  writeFileSync(`${pointer}.next`, `${fileName}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(`${pointer}.next`, pointer);
}

export function removeGenerationFiles(dataDir: string, fileName: string): void {
  for (const suffix of ['', '-wal', '-shm'])
    rmSync(join(dataDir, `${fileName}${suffix}`), { force: true });
}

/** A rebuild cut short by a crash leaves its generation behind: nothing will ever read it. */
function removeAbandonedGenerations(dataDir: string, active: string): void {
  if (!existsSync(dataDir)) return;
  for (const name of readdirSync(dataDir)) {
    if (GENERATION_FILE.test(name) && name !== active) removeGenerationFiles(dataDir, name);
  }
}

/** Where the state changes of the runners and the setting aside of an unreadable file are said. */
export interface ProjectionsLog {
  log(message: string): void;
  warn(message: string): void;
}

const SILENT: ProjectionsLog = { log: () => undefined, warn: () => undefined };

/**
 * Runners on worker threads: each generation's fold and writes off the event
 * loop that takes webhooks and answers queries. The worker opens the log
 * itself and runs the service projections (serviceProjections) of these
 * settings; without this, runners run on this thread over `store` (an
 * in-memory log, which no other thread can read, or a command of its own).
 */
export interface ProjectionWorkers {
  readonly log: EventStoreConfig;
  readonly defaultCurrencies: AppConfig['defaultCurrencies'];
  /** The appending store's commits (the embedded log): each wakes the workers at once. */
  readonly commits?: (listener: () => void) => () => void;
}

export class LiveProjections {
  private live: Generation | undefined;
  /** The rebuild under way or last finished; `generation` is open while it projects. */
  private rebuild: { generation?: BuildingGeneration; progress: RebuildProgress } | undefined;
  private stopped = false;
  /** While the live read models cannot be opened: the retries of opening them. */
  private opening:
    | {
        since: number;
        attempts: number;
        lastError: string;
        nextAttemptAt: number;
        timer: NodeJS.Timeout;
      }
    | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly dataDir: string,
    private readonly projections: readonly Projection[],
    private readonly logger: ProjectionsLog = SILENT,
    private readonly workers?: ProjectionWorkers,
  ) {}

  get current(): Generation {
    if (this.live === undefined) throw new ReadModelsUnavailable(this.opening?.lastError);
    return this.live;
  }

  /**
   * Opens the live generation and follows the log. A projection whose code
   * version changed (every projection, when the file is of an older schema
   * version) is rebuilt beside it (`versionRebuild`): until the switch, queries
   * get its read models as the previous version left them, and read-your-writes
   * waits past its checkpoint wait for the switch.
   */
  async start(): Promise<{ versionRebuild?: Promise<RebuildProgress> }> {
    this.stopped = false;
    const live = this.openLive();
    return live === undefined ? {} : this.follow(live);
  }

  /**
   * Opens the live generation. One that is not a readable database of ours is
   * set aside and a fresh one opened; one that cannot be opened for now leaves
   * the read models closed (queries 503, intake goes on) and is opened again
   * with backoff.
   */
  private openLive(): Generation | undefined {
    const active = activeGenerationFile(this.dataDir);
    removeAbandonedGenerations(this.dataDir, active);
    const toHold = (stored: ReadonlyMap<string, Checkpoint>, outdated: boolean): Projection[] =>
      this.projections.filter((p) => {
        const checkpoint = stored.get(p.name);
        return (
          checkpoint !== undefined &&
          checkpoint.position !== null &&
          (outdated || checkpoint.version !== p.version)
        );
      });
    try {
      try {
        return this.open(active, {}, toHold);
      } catch (error) {
        if (isPassingOpenError(error)) throw error;
        return this.open(this.setAside(active, 'cannot be opened', error), {}, toHold);
      }
    } catch (error) {
      this.retryOpening(error);
      return undefined;
    }
  }

  private async follow(live: Generation): Promise<{ versionRebuild?: Promise<RebuildProgress> }> {
    this.live = live;
    await live.runner.start();
    if (live.held.length === 0) return {};
    return { versionRebuild: this.startRebuild(live.held.map((c) => c.projection)).done };
  }

  private retryOpening(error: unknown): void {
    const lastError = error instanceof Error ? error.message : String(error);
    const attempts = (this.opening?.attempts ?? 0) + 1;
    const delay = retryDelay(attempts, DEFAULT_RETRY_POLICY);
    if (this.opening === undefined) {
      this.logger.warn(
        `the read models cannot be opened (${lastError}): intake goes on; opening them again with backoff`,
      );
    }
    this.opening = {
      since: this.opening?.since ?? Date.now(),
      attempts,
      lastError,
      nextAttemptAt: Date.now() + delay,
      timer: setTimeout(() => {
        if (this.stopped) return;
        let live: Generation | undefined;
        try {
          live = this.openLive();
        } catch (pointerError) {
          // The pointer went bad while the file was being retried: keep saying so, write nothing.
          this.retryOpening(pointerError);
          return;
        }
        if (live === undefined) return;
        this.logger.log(`read models opened after ${attempts} failed attempts (${live.fileName})`);
        this.opening = undefined;
        void this.follow(live);
      }, delay),
    };
  }

  /**
   * Says where a file that cannot be read went and what happens instead:
   * renamed and kept, its name opened fresh; or, when even the rename was
   * refused, left in place and a new generation started.
   */
  private setAside(fileName: string, what: string, error: unknown): string {
    const reason = error instanceof Error ? error.message : String(error);
    try {
      const keptAs = setAsideReadModelFile(this.dataDir, fileName);
      this.logger.warn(
        `the read-model file ${fileName} ${what} (${reason}): set aside as ${keptAs}; projecting the whole log into a fresh ${fileName} in the background`,
      );
      return fileName;
    } catch (renameError) {
      const fresh = `read-models-${Date.now()}.sqlite`;
      switchGenerationFile(this.dataDir, fresh);
      this.logger.warn(
        `the read-model file ${fileName} ${what} (${reason}) and cannot be renamed (${String(renameError)}): left in place; projecting the whole log into ${fresh} in the background`,
      );
      return fresh;
    }
  }

  /**
   * Read-your-writes: true once the live read models include `position`, false
   * on timeout. While a held projection is behind it, that takes the switch to
   * the rebuilt generation.
   */
  async waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.live === undefined) return false;
      const generation = this.live;
      const remaining = deadline - Date.now();
      const heldBehind = generation.held.some((c) => c.position === null || c.position < position);
      if (!heldBehind) {
        if (await generation.runner.waitForPosition(position, Math.max(0, remaining))) return true;
        if (generation === this.live) return false;
      } else {
        if (remaining <= 0) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(HELD_POLL_MS, remaining)));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.opening !== undefined) clearTimeout(this.opening.timer);
    this.opening = undefined;
    for (const generation of [this.rebuild?.generation, this.live]) {
      if (generation !== undefined) await this.close(generation);
    }
    this.rebuild = undefined;
    this.live = undefined;
  }

  status(): { live: string; projections: readonly ProjectionStatus[]; rebuild?: RebuildProgress } {
    if (this.live === undefined) return this.closedStatus();
    const rebuild =
      this.rebuild?.progress.state === 'building'
        ? {
            ...this.rebuild.progress,
            projections: this.rebuild.generation?.runner.status() ?? [],
          }
        : this.rebuild?.progress;
    const held = this.current.held.map((c): ProjectionStatus => ({
      projection: c.projection,
      version: c.version,
      checkpoint: c.position,
      handled: c.handled,
      notUnderstood: c.notUnderstood,
      failed: c.failed,
      errors: [],
      state: 'held',
    }));
    return {
      live: this.current.fileName,
      projections: [...this.current.runner.status(), ...held],
      ...(rebuild ? { rebuild } : {}),
    };
  }

  /** The read models are not open: every projection waits for them, and says why. */
  private closedStatus(): { live: string; projections: readonly ProjectionStatus[] } {
    const opening = this.opening;
    return {
      live: this.pointedFile(),
      projections: this.projections.map((p) => ({
        projection: p.name,
        version: p.version,
        checkpoint: null,
        handled: 0n,
        notUnderstood: 0n,
        failed: 0n,
        errors: [],
        state: opening === undefined ? 'idle' : 'retrying',
        ...(opening === undefined
          ? {}
          : {
              retry: {
                since: new Date(opening.since).toISOString(),
                attempts: opening.attempts,
                lastError: `the read models cannot be opened: ${opening.lastError}`,
                nextAttemptAt: new Date(opening.nextAttemptAt).toISOString(),
              },
            }),
      })),
    };
  }

  /** The pointer's name for the status while the read models are closed, even when it is invalid. */
  private pointedFile(): string {
    try {
      return activeGenerationFile(this.dataDir);
    } catch (error) {
      return error instanceof InvalidReadModelPointer ? `invalid: ${error.pointed}` : String(error);
    }
  }

  get projectionNames(): readonly string[] {
    return this.projections.map((p) => p.name);
  }

  /**
   * Starts a rebuild in the background (one at a time) of the named
   * projections, or of all; `done` settles when it switched or failed. The
   * projections not named are copied into the new generation as they stand and
   * carry on from their checkpoints there. Copying and indexing run on a
   * worker thread; the event loop only folds events, a batch at a time.
   */
  startRebuild(names: readonly string[] = this.projectionNames): {
    progress: RebuildProgress;
    done: Promise<RebuildProgress>;
  } {
    if (this.rebuild?.progress.state === 'building') {
      throw new RebuildInProgress(this.rebuild.progress.fileName);
    }
    const unknown = names.filter((name) => !this.projectionNames.includes(name));
    if (unknown.length > 0 || names.length === 0) {
      throw new UnknownProjection(unknown, this.projectionNames);
    }
    const fileName = `read-models-${Date.now()}.sqlite`;
    const progress: RebuildProgress = {
      state: 'building',
      rebuilding: this.projectionNames.filter((name) => names.includes(name)),
      fileName,
      startedAt: new Date().toISOString(),
      projections: [],
    };
    const rebuild: { generation?: BuildingGeneration; progress: RebuildProgress } = { progress };
    this.rebuild = rebuild;
    const done = this.buildAndSwitch(rebuild, names).then(
      () => this.finish(rebuild, { state: 'switched' }),
      async (error: unknown) => {
        const failure = error instanceof Error ? error.message : String(error);
        const failed = this.finish(rebuild, { state: 'failed', failure });
        if (rebuild.generation !== undefined) await this.close(rebuild.generation);
        // Failing after the switch (closing the old generation) leaves the new one live.
        if (this.live?.fileName !== fileName) removeGenerationFiles(this.dataDir, fileName);
        return failed;
      },
    );
    return { progress, done };
  }

  private async buildAndSwitch(
    rebuild: { generation?: BuildingGeneration; progress: RebuildProgress },
    names: readonly string[],
  ): Promise<void> {
    const { fileName } = rebuild.progress;
    const file = join(this.dataDir, fileName);
    const carried = this.projections.filter((p) => !names.includes(p.name));
    const phase = (next: RebuildProgress['phase']): void => {
      rebuild.progress = { ...rebuild.progress, phase: next };
    };
    if (carried.length > 0) {
      phase('copying');
      await copyProjectionsInto(file, join(this.dataDir, this.current.fileName), carried);
    }
    this.assertRunning();
    phase('projecting');
    const building = this.openBuilding(fileName);
    rebuild.generation = building;
    await building.runner.start();
    await this.chaseHead(building);
    // Indexes are built once, at the end, on a worker; what arrives meanwhile is caught up after.
    await this.close(building);
    rebuild.generation = undefined;
    this.assertRunning();
    phase('indexing');
    await indexGeneration(file);
    this.assertRunning();
    phase('catching-up');
    const built = this.open(fileName);
    rebuild.generation = built;
    await built.runner.start();
    await this.chaseHead(built);
    this.assertRunning();
    const previous = this.current;
    this.live = built;
    rebuild.generation = undefined;
    switchGenerationFile(this.dataDir, fileName);
    await this.close(previous);
    removeGenerationFiles(this.dataDir, previous.fileName);
  }

  private assertRunning(): void {
    if (this.stopped) throw new Error('the service stopped during the rebuild');
  }

  private async close(generation: BuildingGeneration): Promise<void> {
    await generation.runner.stop();
    generation.store?.close();
  }

  /**
   * The log keeps growing during the rebuild: chase its head until caught up.
   * While the log does not answer or the runner retries, the rebuild waits for
   * them rather than failing.
   */
  private async chaseHead(generation: BuildingGeneration): Promise<void> {
    for (;;) {
      this.assertRunning();
      const head = await this.store.headPosition(FOLLOWED_EVENTS).then(
        (position) => ({ position }),
        () => undefined,
      );
      if (head !== undefined) {
        if (head.position === undefined) return;
        if (await generation.runner.waitForPosition(head.position, CATCH_UP_STEP_MS)) return;
      }
      const state = generation.runner.currentState;
      if (state === 'stopped') throw new Error('the service stopped during the rebuild');
      if (head === undefined || state === 'retrying') await sleep(CHASE_RETRY_MS);
    }
  }

  /**
   * The live file turned out corrupt while in use (SQLite found a bad page):
   * retrying cannot mend it, so it is closed, set aside and projected afresh.
   */
  private async replaceCorrupt(fileName: string, cause: unknown): Promise<void> {
    const generation = this.live;
    if (generation === undefined || generation.fileName !== fileName || this.stopped) return;
    this.live = undefined;
    await this.close(generation);
    this.setAside(fileName, 'is corrupt', cause);
    let live: Generation | undefined;
    try {
      live = this.openLive();
    } catch (pointerError) {
      this.retryOpening(pointerError);
      return;
    }
    if (live !== undefined) await this.follow(live);
  }

  private describeChange(fileName: string, building: boolean, change: RunnerStateChange): void {
    if (!building && change.state === 'retrying' && isCorruptionError(change.cause)) {
      void this.replaceCorrupt(fileName, change.cause);
    }
    const which = building ? `rebuild into ${fileName}` : `projections of ${fileName}`;
    if (change.state === 'retrying') {
      this.logger.warn(
        `${which}: ${change.previous} -> retrying with backoff: ${change.error ?? 'unknown error'}`,
      );
    } else if (change.previous === 'retrying') {
      const after = change.downForMs === undefined ? '' : ` after ${change.downForMs} ms`;
      this.logger.log(
        `${which}: retrying -> ${change.state}${after} (${change.failedAttempts ?? 0} failed attempts), resumed from the checkpoints`,
      );
    }
  }

  private finish(
    rebuild: { generation?: BuildingGeneration; progress: RebuildProgress },
    outcome: Pick<RebuildProgress, 'state' | 'failure'>,
  ): RebuildProgress {
    const projections =
      outcome.state === 'switched'
        ? (this.live?.runner.status() ?? [])
        : (rebuild.generation?.runner.status() ?? []);
    const { phase: _phase, ...progress } = rebuild.progress;
    rebuild.progress = {
      ...progress,
      ...outcome,
      finishedAt: new Date().toISOString(),
      projections,
    };
    return rebuild.progress;
  }

  /**
   * A generation to be built from the log. On a worker, only the worker opens
   * its file (exclusively, while building): nobody reads it until it is indexed.
   */
  private openBuilding(fileName: string): BuildingGeneration {
    if (this.workers !== undefined) {
      return { fileName, runner: this.workerRunner(fileName, this.projections, true) };
    }
    const store = new ReadModelStore({ directory: this.dataDir, fileName }, { building: true });
    return { fileName, store, runner: this.localRunner(fileName, store, this.projections, true) };
  }

  /**
   * A generation to serve. This thread's connection creates or migrates the
   * file and reads the checkpoints (which projections are held); with a worker
   * runner it is then made query-only, and the worker opens its own to write.
   */
  private open(
    fileName: string,
    options: ReadModelStoreOptions = {},
    toHold: (
      stored: ReadonlyMap<string, Checkpoint>,
      outdated: boolean,
    ) => readonly Projection[] = () => [],
  ): Generation {
    const store = new ReadModelStore({ directory: this.dataDir, fileName }, options);
    let stored: Map<string, Checkpoint>;
    try {
      stored = store.checkpoints();
      if (this.workers !== undefined) store.db.pragma('query_only = ON');
    } catch (error) {
      store.close();
      throw error;
    }
    const held = toHold(stored, store.outdated);
    const running = this.projections.filter((p) => !held.includes(p));
    return {
      fileName,
      store,
      runner:
        this.workers === undefined
          ? this.localRunner(fileName, store, running, false)
          : this.workerRunner(fileName, running, false),
      readModels: new ReadModels(store),
      held: held.map((p) => stored.get(p.name)).filter((c): c is Checkpoint => c !== undefined),
    };
  }

  private localRunner(
    fileName: string,
    store: ReadModelStore,
    projections: readonly Projection[],
    building: boolean,
  ): GenerationRunner {
    return new ProjectionRunner({
      store: this.store,
      readModels: store,
      projections,
      ...(building ? { batchSize: BUILDING_BATCH_SIZE } : {}),
      onStateChange: (change) => this.describeChange(fileName, building, change),
    });
  }

  private workerRunner(
    fileName: string,
    projections: readonly Projection[],
    building: boolean,
  ): GenerationRunner {
    const workers = this.workers;
    if (workers === undefined) throw new Error('no projection workers configured');
    return new WorkerRunner({
      data: {
        log: workers.log,
        directory: this.dataDir,
        fileName,
        building,
        projections: projections.map((p) => p.name),
        defaultCurrencies: workers.defaultCurrencies,
        ...(building ? { batchSize: BUILDING_BATCH_SIZE } : {}),
      },
      projections,
      ...(workers.commits === undefined ? {} : { commits: workers.commits }),
      onStateChange: (change) => this.describeChange(fileName, building, change),
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `read-models.current` names something other than a generation file of ours.
 * Refused rather than set aside for the default: the default name may be an
 * older generation, and starting would remove every other generation (the real
 * live one among them) as abandoned by a crashed rebuild.
 */
export class InvalidReadModelPointer extends Error {
  override readonly name = 'InvalidReadModelPointer';
  constructor(
    readonly pointer: string,
    readonly pointed: string,
    why: string,
  ) {
    super(
      `${pointer} holds ${JSON.stringify(pointed.slice(0, 200))}, which ${why}: refused, nothing opened or written. Write the live generation's file name there (ls DATA_DIR/read-models*.sqlite), or remove it to project the log afresh into read-models.sqlite (the other generations are then removed)`,
    );
  }
}
