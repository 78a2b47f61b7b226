/**
 * How the e2e suites run the service and the scripts from source in a child
 * process: node loads the caching transpile hook (src/threads/transpile-hook.ts)
 * with `-r`, so the dozen processes a run spawns do not each transpile the
 * whole app again. That costs ~3 s of CPU per process; a process whose files
 * are all cached starts in well under one.
 */
import { transpileHookFile } from '../../src/threads/transpile-hook';

/** Node's arguments that run `entry` (a .ts file of this repository) from source. */
export function fromSourceArgs(entry: string): string[] {
  return ['--enable-source-maps', '-r', transpileHookFile(), entry];
}
