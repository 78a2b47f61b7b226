/**
 * What is done with a read-model file that cannot be opened. The read models
 * are a cache of the log, so intake never waits for them: a file that is not a
 * readable SQLite database of ours is renamed out of the way (kept, for
 * inspection) and the log projected into a fresh one; a file that cannot be
 * opened for a passing reason (a full disk, a lock) is opened again later.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/** SQLite result codes that say "not now" rather than "never": the file may be fine. */
const PASSING = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|NOMEM|INTERRUPT|PROTOCOL)/;

export function isPassingOpenError(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && PASSING.test(code);
}

/** SQLite found the file damaged, or not a database: no retry mends that. */
export function isCorruptionError(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Renames `fileName` and its WAL and shared-memory files (which belong to it:
 * left behind, SQLite would apply that WAL to the fresh file) to
 * `<fileName>.unreadable-<ms>`. Returns the name it was kept as, or throws
 * when the rename was refused.
 */
export function setAsideReadModelFile(dataDir: string, fileName: string, now = Date.now()): string {
  const keptAs = `${fileName}.unreadable-${now}`;
  for (const suffix of ['', '-wal', '-shm']) {
    const from = join(dataDir, `${fileName}${suffix}`);
    if (existsSync(from)) renameSync(from, join(dataDir, `${keptAs}${suffix}`));
  }
  return keptAs;
}
