/**
 * The event log and the read models hold names and email addresses: only the
 * service's own user may read them. Files are 0600 in a 0700 directory, whatever
 * the umask; what an older release (or a copy) left group- or world-readable is
 * tightened at start.
 */
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents, as `mkdir -p`) 0700. An existing
 * directory is left as it is here: a store may be given a file anywhere (a
 * test's, in a shared temporary directory); DATA_DIR itself is set to 0700 by
 * tightenDataDir at start.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Makes sure `file` exists, 0600 (in a directory created 0700), before SQLite opens it:
 * SQLite creates a database 0644 (less the umask) and gives its -wal, -shm and
 * -journal files the database file's mode, so creating it 0600 first covers them.
 */
export function preparePrivateFile(file: string): void {
  ensurePrivateDir(dirname(file));
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Never open (and close) a file that exists: closing any descriptor of a file drops every
    // POSIX lock this process holds on it, SQLite's included (the DATA_DIR lock, a reader's).
  }
  chmodIfOwned(file, PRIVATE_FILE_MODE);
}

/** A file another user owns (a volume prepared by root) cannot be changed by us: left to its owner. */
function chmodIfOwned(path: string, mode: number): boolean {
  try {
    chmodSync(path, mode);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPERM') return false;
    throw error;
  }
}

/**
 * Sets `dir` to 0700 and takes the group and other bits off every regular file
 * directly in it (0644 becomes 0600). Symbolic links are left alone (chmod would
 * follow one out of the directory), and so are subdirectories, which are not ours.
 * Returns the names that were tightened.
 */
export function tightenDataDir(dir: string): string[] {
  ensurePrivateDir(dir);
  chmodIfOwned(dir, PRIVATE_DIR_MODE);
  const tightened: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue; // removed meanwhile (a rebuild's generation, a pointer's .next)
    }
    if (!stat.isFile() || (stat.mode & 0o077) === 0) continue;
    if (chmodIfOwned(path, stat.mode & 0o700)) tightened.push(name);
  }
  return tightened;
}
