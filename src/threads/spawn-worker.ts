/**
 * Starts a worker thread from a TypeScript module of this repository, wherever
 * the code runs: compiled (`dist/`, where the worker is the `.js` that
 * `nest build` emitted next to its caller) or from source (`src/` under jest,
 * ts-node or the e2e suites' transpile hook), where Node cannot load `.ts`
 * itself and a worker thread gets none of its parent's loaders except `-r`
 * preloads.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { transpileHookFile } from './transpile-hook';

/**
 * True when this module itself was loaded from a `.ts` file: then every
 * module of the repository is, and workers must be transpiled too.
 */
const fromSource = __filename.endsWith('.ts');

/**
 * `entry` is the worker module's path without extension, e.g.
 * `join(__dirname, 'writer.worker')`.
 */
export function spawnWorker(entry: string, options: WorkerOptions = {}): Worker {
  if (!fromSource) return new Worker(`${entry}.js`, options);
  return new Worker(sourceBootstrap(`${entry}.ts`), { ...options, eval: true });
}

/**
 * The worker's first code: the caching transpile hook for `.ts`, unless a
 * preload already registered one (the e2e suites run the service with that
 * same hook under `-r`, which Node runs in every worker too), then the entry.
 * The hook needs typescript, a development dependency: never from `dist/`.
 */
function sourceBootstrap(file: string): string {
  return `'use strict';
if (require.extensions['.ts'] === undefined) require(${JSON.stringify(transpileHookFile())});
require(${JSON.stringify(file)});`;
}
