/**
 * What a process that writes DATA_DIR does first, before any store opens it:
 * take the directory's lock, then make what is in it private to the owner.
 */
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { tightenDataDir } from './private-files';

export { DATA_DIR_LOCKED_EXIT_CODE, DataDirLocked } from './data-dir-lock';

export interface DataDirClaim {
  readonly lock: DataDirLock;
  /** Files an earlier run left readable by others, now 0600 (names only, for the boot log). */
  readonly tightened: readonly string[];
}

/** Throws DataDirLocked (naming the holder) when another process has the directory. */
export function claimDataDir(dataDir: string, role: string): DataDirClaim {
  const lock = lockDataDir(dataDir, role);
  try {
    return { lock, tightened: tightenDataDir(dataDir) };
  } catch (error) {
    lock.release();
    throw error;
  }
}
