/**
 * One process per DATA_DIR. Two services on one directory both accept appends
 * and then trip over each other's read models (a UNIQUE constraint in the first
 * one's projections, silently); a rebuild under a running service swaps the
 * read-model pointer under it.
 *
 * The lock is SQLite's own: an exclusive transaction held open on
 * `DATA_DIR/service.lock` for the life of the process. That is a POSIX lock
 * the kernel drops when the process ends however it ends (kill -9, OOM, a
 * container removed), so there is no stale lock to recognise and take over:
 * a lock file with a pid would have to guess whether that pid is still ours
 * (in a container the service is always pid 1, on every restart) and could not
 * tell across hosts. It covers the same directories SQLite itself covers for the
 * event log (local disks and volumes; not every network file system).
 * `service.lock.json` beside it says who holds it, for the refusal message only.
 */
import Database from 'better-sqlite3';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, preparePrivateFile } from './private-files';

export const LOCK_FILE = 'service.lock';
export const HOLDER_FILE = 'service.lock.json';

/** Exit code of a process refused because another one holds DATA_DIR (EX_TEMPFAIL: try again later). */
export const DATA_DIR_LOCKED_EXIT_CODE = 75;

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** What holds it: `service`, `rebuild`. */
  readonly role: string;
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** Releases the lock (idempotent). Ending the process releases it too. */
  release(): void;
}

/**
 * The open lock connections: a Database that nothing references is closed when
 * it is garbage-collected, which would drop the lock in the middle of the run.
 */
const held = new Set<Database.Database>();

export class DataDirLocked extends Error {
  override readonly name = 'DataDirLocked';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `${dataDir} is in use by ${describeHolder(holder)}: one process per DATA_DIR (lock ${join(dataDir, LOCK_FILE)})`,
    );
  }
}

function describeHolder(holder: LockHolder | undefined): string {
  if (holder === undefined) return 'another process (it has not said which yet)';
  return `the ${holder.role} with pid ${holder.pid} on host ${holder.host}, running since ${holder.startedAt}`;
}

/**
 * Takes the lock of `dataDir` for `role`, or throws DataDirLocked naming the
 * process that holds it. Never waits: a second service refuses at once.
 */
export function lockDataDir(dataDir: string, role: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  preparePrivateFile(file);
  const db = new Database(file, { timeout: 0 });
  try {
    // No journal file: the transaction never writes, it only holds the lock.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY')
      throw new DataDirLocked(dataDir, readHolder(dataDir));
    throw error;
  }
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    role,
  };
  const holderFile = join(dataDir, HOLDER_FILE);
  writeFileSync(`${holderFile}.next`, `${JSON.stringify(holder)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(`${holderFile}.next`, holderFile);
  held.add(db);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    // While still holding the lock: the next holder's file is never the one removed.
    rmSync(holderFile, { force: true });
    held.delete(db);
    db.close();
  };
  // A graceful stop (Nest's shutdown hooks re-raise the signal) also tidies the holder file.
  process.once('exit', release);
  return { holder, release };
}

/** Who holds the lock, as it wrote; undefined while it has not written yet (or wrote garbage). */
export function readHolder(dataDir: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { pid, host, startedAt, role } = parsed as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof host !== 'string' || typeof startedAt !== 'string')
      return undefined;
    return { pid, host, startedAt, role: typeof role === 'string' ? role : 'process' };
  } catch {
    return undefined;
  }
}
